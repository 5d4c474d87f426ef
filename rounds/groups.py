"""Channel-layer group names, shared by the consumers that join them and the broadcasts that
send to them. Those that ``events`` revokes or pushes to (events/sockets.py) are defined there."""

from events.sockets import (
    attendee_group,
    control_group,
    event_group,
    organizer_group,
    projector_group,
)

__all__ = ["attendee_group", "control_group", "event_group", "organizer_group", "projector_group"]
