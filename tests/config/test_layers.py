"""Contract of the forked Channels internals: ``config.layers.InMemoryChannelLayer`` and
``rounds.consumers.LiveConsumer.__call__``.

Each behaviour is asserted on Channels' own in-memory layer and on ours alike (capacity and
``ChannelFull``, message expiry, group expiry, order), and the Channels code both forks copy
or lean on is pinned by a fingerprint of its source: a Channels upgrade fails here, loudly,
until someone has compared the new code with ours and updated the pins."""

from __future__ import annotations

import asyncio
import hashlib
import inspect

import channels
import pytest
from channels.consumer import AsyncConsumer
from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsLayer
from channels.sessions import InstanceSessionWrapper
from channels.utils import await_many_dispatch

from config.layers import InMemoryChannelLayer as OurLayer
from config.layers import copy_message

LAYERS = [ChannelsLayer, OurLayer]
UPGRADE = (
    "Channels changed: compare config/layers.py and LiveConsumer.__call__ (rounds/consumers.py) "
    "with the new code, then update the pins in tests/config/test_layers.py"
)


def fingerprint(function: object) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


def test_layers_channels_is_the_version_the_forks_were_written_against():
    assert channels.__version__ == "4.3.2", UPGRADE


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        (AsyncConsumer.__call__, "e52238720872dbc3"),  # LiveConsumer.__call__ replaces it
        (await_many_dispatch, "30ef889498560da3"),  # its loop, replaced by one task per source
        (ChannelsLayer.__init__, "a868dc26b1c1947d"),  # channels, groups, group_expiry
        (ChannelsLayer._clean_expired, "604032dae1cc01d2"),  # called by ours, at most 1/s
        (ChannelsLayer.send, "a4dab1cd8aff886e"),  # replaced: same checks, same queue entries
        (ChannelsLayer.receive, "e615f8ae40b60e12"),  # replaced
        (ChannelsLayer.group_send, "693c3172deb6431b"),  # replaced: no task per member
        (ChannelsLayer.new_channel, "14ddd98667efdee8"),  # inherited
    ],
    ids=lambda value: getattr(value, "__qualname__", value),
)
def test_layers_channels_code_the_forks_follow_is_unchanged(function, expected):
    assert fingerprint(function) == expected, UPGRADE


def test_layers_session_wrapper_still_keeps_the_servers_send_as_real_send():
    # LiveConsumer.__call__ unwraps ``send.__self__.real_send``.
    assert "self.real_send = send" in inspect.getsource(InstanceSessionWrapper), UPGRADE


def run(coroutine):
    return asyncio.run(coroutine)


async def nothing_within(layer, channel: str, seconds: float = 0.05) -> bool:
    try:
        await asyncio.wait_for(layer.receive(channel), seconds)
    except TimeoutError:
        return True
    return False


@pytest.mark.parametrize("layer_class", LAYERS)
def test_layers_a_full_channel_raises_channel_full_on_send(layer_class):
    async def scenario():
        layer = layer_class(capacity=2)
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "a"})
        await layer.send(channel, {"type": "b"})
        with pytest.raises(ChannelFull):
            await layer.send(channel, {"type": "c"})
        return [await layer.receive(channel), await layer.receive(channel)]

    assert run(scenario()) == [{"type": "a"}, {"type": "b"}]


@pytest.mark.parametrize("layer_class", LAYERS)
def test_layers_a_full_member_misses_a_group_message_and_the_others_get_it(layer_class):
    async def scenario():
        layer = layer_class(capacity=1)
        full, free = await layer.new_channel(), await layer.new_channel()
        for channel in (full, free):
            await layer.group_add("room", channel)
        await layer.send(full, {"type": "first"})
        await layer.group_send("room", {"type": "push"})
        return (
            await layer.receive(full),
            await nothing_within(layer, full),
            await layer.receive(free),
        )

    assert run(scenario()) == ({"type": "first"}, True, {"type": "push"})


@pytest.mark.parametrize("layer_class", LAYERS)
def test_layers_an_expired_message_is_never_delivered(layer_class):
    async def scenario():
        layer = layer_class(expiry=-5)  # already past its expiry when queued
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "stale"})
        return await nothing_within(layer, channel)

    assert run(scenario()) is True


@pytest.mark.parametrize("layer_class", LAYERS)
def test_layers_an_expired_group_membership_gets_no_group_message(layer_class):
    async def scenario():
        layer = layer_class(group_expiry=-5)  # every membership already too old
        channel = await layer.new_channel()
        await layer.group_add("room", channel)
        await layer.group_send("room", {"type": "push"})
        return await nothing_within(layer, channel), layer.groups.get("room", {})

    assert run(scenario()) == (True, {})


@pytest.mark.parametrize("layer_class", LAYERS)
def test_layers_one_channel_receives_in_the_order_sent_direct_and_group_alike(layer_class):
    async def scenario():
        layer = layer_class()
        channel = await layer.new_channel()
        await layer.group_add("room", channel)
        for number in range(5):
            if number % 2:
                await layer.group_send("room", {"type": "push", "n": number})
            else:
                await layer.send(channel, {"type": "push", "n": number})
        return [(await layer.receive(channel))["n"] for _ in range(5)]

    assert run(scenario()) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("layer_class", LAYERS)
def test_layers_each_receiver_gets_its_own_copy(layer_class):
    async def scenario():
        layer = layer_class()
        first, second = await layer.new_channel(), await layer.new_channel()
        for channel in (first, second):
            await layer.group_add("room", channel)
        await layer.group_send("room", {"type": "push", "stops": [1, 2]})
        mine = await layer.receive(first)
        mine["stops"].append(3)
        return await layer.receive(second)

    assert run(scenario()) == {"type": "push", "stops": [1, 2]}


def test_layers_copy_message_is_a_flat_copy_only_when_every_value_is_immutable():
    flat = {"type": "push", "n": 1, "ok": True, "none": None}
    nested = {"type": "plan", "itinerary": [{"round": 1}]}

    assert copy_message(flat) == flat
    assert copy_message(flat) is not flat
    copied = copy_message(nested)
    assert copied == nested
    assert copied["itinerary"] is not nested["itinerary"]
