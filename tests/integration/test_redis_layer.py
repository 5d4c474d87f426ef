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
