"""Channel-layer group names, shared by the consumers that join them and the broadcasts that
send to them. Those that ``events`` revokes (events/sockets.py) are defined there."""

from events.sockets import attendee_group, control_group, event_group, organizer_group

__all__ = ["attendee_group", "control_group", "event_group", "organizer_group", "projector_group"]


def projector_group(event_id: int) -> str:
    """The event's projector screens: what only the big screen redraws (its "find your table"
    list), never a phone."""
    return f"projector.{event_id}"
