"""The production path's channel layer: a message through a real Redis reaches a consumer."""

from __future__ import annotations

import pytest
from channels.layers import get_channel_layer
from django.conf import settings
from django.test import override_settings

from config.env import read_channel_layers
from rounds.groups import event_group
from tests.conftest import acreate, open_phone, redis_url
from tests.factories import AttendeeFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True), pytest.mark.redis]


async def test_redis_layer_delivers_a_group_message_to_a_connected_consumer(asgi_app):
    layers = read_channel_layers({"REDIS_URL": redis_url()}, prefix=settings.SPEEDNET_REDIS_PREFIX)
    with override_settings(CHANNEL_LAYERS=layers):
        layer = get_channel_layer()
        try:
            assert type(layer).__name__ == "RedisPubSubChannelLayer"
            attendee = await acreate(AttendeeFactory)
            phone, _state, _presence = await open_phone(asgi_app, attendee.token)

            await layer.group_send(
                event_group(attendee.event_id), {"type": "push", "text": '{"via":"redis"}'}
            )

            assert await phone.receive_from(timeout=5) == '{"via":"redis"}'
            await phone.disconnect()
        finally:
            await layer.flush()


async def test_sockets_that_closed_leave_nothing_in_the_redis_layer(asgi_app):
    """A reconnect storm closes and reopens every phone, wave after wave: once they closed, the
    process keeps no channel, group or subscription of theirs, however many waves there were
    (docs/benchmarks-storm.md: a wave's CPU does not grow)."""
    layers = read_channel_layers({"REDIS_URL": redis_url()}, prefix=settings.SPEEDNET_REDIS_PREFIX)
    with override_settings(CHANNEL_LAYERS=layers):
        layer = get_channel_layer()
        try:
            attendees = [await acreate(AttendeeFactory) for _ in range(3)]
            for _wave in range(3):
                phones = [(await open_phone(asgi_app, a.token))[0] for a in attendees]
                loop_layer = layer._get_layer()
                assert len(loop_layer.channels) == 3
                for phone in phones:
                    await phone.disconnect()

            assert loop_layer.channels == {}
            assert loop_layer.groups == {}
            for shard in loop_layer._shards:
                assert shard._subscribed_to == set()
                assert shard._confirming == {}
        finally:
            await layer.flush()
