"""Channel-layer group names, shared by the consumers that join them and the broadcasts that
send to them."""


def event_group(event_id: int) -> str:
    """Every phone and dashboard of the event."""
    return f"event.{event_id}"


def attendee_group(attendee_id: int) -> str:
    """One attendee's phones (a person may have the page open on two devices)."""
    return f"attendee.{attendee_id}"


def control_group(event_id: int) -> str:
    """The organizer dashboards of the event: figures phones do not need."""
    return f"control.{event_id}"
