"""Channel-layer group names, shared by the consumers that join them and the broadcasts that
send to them."""


def event_group(event_id: int) -> str:
    return f"event.{event_id}"


def attendee_group(attendee_id: int) -> str:
    return f"attendee.{attendee_id}"
