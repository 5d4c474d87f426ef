"""The SQL of a batch of card taps (its reads and its insert), written from the models' metadata.

A room taps about a thousand cards a second on one process, written in batches by the sockets'
one database thread (``feedback.consumers``). A batch reads its givers and receivers with their
event, the rounds with the seats concerned, and the cards already given, and inserts its new cards.
Through the ORM, building those querysets and compiling their SQL took most of a batch's CPU,
far more than the database took to answer; and that thread shares the interpreter lock with the
event loop that reads and answers every phone's frames (docs/benchmarks-cards.md). Here each
statement is a template of table and column names taken from the models (``Model._meta``) with
placeholders for its ``IN`` lists; values go in through their fields' ``get_db_prep_value`` and
come out through the converters Django's compiler applies (a UUID or a datetime read from
SQLite comes back as such), and rows become model instances with ``Model.from_db``, with only
the fields read (the others load on access, as with ``QuerySet.only``). The answers are the
ORM's: ``tests/feedback/test_tapsql.py`` compares them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.utils import timezone

from events.models import Attendee, Event
from feedback.models import Card
from rounds.models import Round, Seat

Converter = Callable[[Any, Any, Any], Any]

PEOPLE_FIELDS = ("event_id", "erased_at", "conduct_accepted_version", "name")
PEOPLE_EVENT_FIELDS = ("status", "conduct_text", "conduct_version")
"""What a batch reads of its givers and receivers, and of their event: what the checks and the
card pushed to the receiver use, not the 70 columns of both rows."""
ROUND_FIELDS = ("event_id", "number", "status")
CARD_FIELDS = ("giver_id", "receiver_id", "kind", "client_id")


def database() -> BaseDatabaseWrapper:
    """The default database's connection of this thread, looked up once per statement rather
    than through ``django.db.connection``'s proxy at every use."""
    return connections[DEFAULT_DB_ALIAS]


def column(db: BaseDatabaseWrapper, model: type[Model], name: str, *, table: bool = True) -> str:
    """A field's column, quoted, with its table's name unless ``table`` is False."""
    return quoted_column(db.vendor, model, name, table)


@cache
def quoted_column(vendor: str, model: type[Model], name: str, table: bool) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    quoted = quote(model._meta.get_field(name).column)
    return f"{quote(model._meta.db_table)}.{quoted}" if table else quoted


def table_name(db: BaseDatabaseWrapper, model: type[Model]) -> str:
    return db.ops.quote_name(model._meta.db_table)


def placeholders(count: int) -> str:
    """``%s, %s, …``: ``count`` placeholders for an ``IN`` list (count ≥ 1)."""
    return ", ".join(["%s"] * count)


def in_model_order(model: type[Model], names: Iterable[str]) -> list[str]:
    """Field attnames in the model's order of concrete fields, with the primary key first: the
    order ``Model.from_db`` takes the values of a partial row in."""
    wanted = set(names) | {model._meta.pk.attname}
    return [field.attname for field in model._meta.concrete_fields if field.attname in wanted]


@cache
def reader(model: type[Model], name: str, vendor: str) -> tuple[Any, tuple[Converter, ...]]:
    """A field's column expression and the functions Django's compiler applies to a value of
    it read from the database (the backend's, then the field's): none for most, one for a
    UUID or a datetime on SQLite. ``vendor`` is part of the cache's key."""
    del vendor
    db = database()
    expression = model._meta.get_field(name).get_col(model._meta.db_table)
    chain = db.ops.get_db_converters(expression) + expression.get_db_converters(db)
    return expression, tuple(chain)


def fetch(
    db: BaseDatabaseWrapper,
    sql: str,
    params: Sequence[Any],
    fields: Sequence[tuple[type[Model], str]],
) -> list[list[Any]]:
    """The rows of ``sql``, each value converted as the ORM converts the field it was read
    from (``fields``: one (model, field attname) per column, in order)."""
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    conversions = []
    for index, (model, name) in enumerate(fields):
        expression, chain = reader(model, name, db.vendor)
        if chain:
            conversions.append((index, expression, chain))
    if not conversions:
        return [list(row) for row in rows]
    result = []
    for row in rows:
        values = list(row)
        for index, expression, chain in conversions:
            for convert in chain:
                values[index] = convert(values[index], expression, db)
        result.append(values)
    return result


def storable(
    db: BaseDatabaseWrapper, model: type[Model], name: str, values: Iterable[int]
) -> set[int]:
    """The values an integer field's column can hold: a phone's frame may name any whole
    number, which no row has (as the ORM's lookups find nothing), but one past the column's
    range would make SQLite's driver raise ``OverflowError``, failing the whole batch."""
    field = model._meta.get_field(name)
    low, high = db.ops.integer_field_range(field.get_internal_type())
    return {
        value
        for value in values
        if (low is None or value >= low) and (high is None or value <= high)
    }


def prepared(
    db: BaseDatabaseWrapper, model: type[Model], name: str, values: Iterable[Any]
) -> list[Any]:
    """Values as parameters for a field's column (a UUID as SQLite stores it)."""
    field = model._meta.get_field(name)
    return [field.get_db_prep_value(value, db) for value in values]


def people(ids: set[int], *, lock: bool) -> dict[int, Attendee]:
    """Attendees by id, with their event, reading ``PEOPLE_FIELDS`` and
    ``PEOPLE_EVENT_FIELDS`` only; in id order and, with ``lock`` on a database that has row
    locks, locked ``FOR UPDATE`` (the attendee rows only), as
    ``select_for_update(of=("self",))`` locks them."""
    db = database()
    ids = storable(db, Attendee, "id", ids)
    if not ids:
        return {}
    person_names = in_model_order(Attendee, PEOPLE_FIELDS)
    event_names = in_model_order(Event, PEOPLE_EVENT_FIELDS)
    attendees, events = table_name(db, Attendee), table_name(db, Event)
    selected = [column(db, Attendee, f) for f in person_names] + [
        column(db, Event, f) for f in event_names
    ]
    sql = (
        f"SELECT {', '.join(selected)} FROM {attendees} "
        f"INNER JOIN {events} ON {column(db, Attendee, 'event_id')} = {column(db, Event, 'id')} "
        f"WHERE {column(db, Attendee, 'id')} IN ({placeholders(len(ids))}) "
        f"ORDER BY {column(db, Attendee, 'id')}"
    )
    if lock and db.features.has_select_for_update_of:
        sql += f" FOR UPDATE OF {attendees}"
    fields = [(Attendee, f) for f in person_names] + [(Event, f) for f in event_names]
    found: dict[int, Attendee] = {}
    events_by_id: dict[int, Event] = {}
    width = len(person_names)
    for row in fetch(db, sql, sorted(ids), fields):
        person = Attendee.from_db(db.alias, person_names, row[:width])
        event = events_by_id.get(person.event_id)
        if event is None:
            event = Event.from_db(db.alias, event_names, row[width:])
            events_by_id[person.event_id] = event
        person.event = event
        found[person.pk] = person
    return found


def rounds_and_seats(
    events: set[int], numbers: set[int], attendee_ids: set[int]
) -> tuple[dict[tuple[int, int], Round], dict[tuple[int, int], int]]:
    """The rounds of these numbers in these events, by (event id, number), reading
    ``ROUND_FIELDS`` only; and where these people sit in those rounds, table id by (round id,
    attendee id). One statement, the rounds left-joined to these people's seats in them: on
    PostgreSQL every statement is a round trip to the server, waited for by the sockets' one
    database thread."""
    db = database()
    events, numbers = storable(db, Event, "id", events), storable(db, Round, "number", numbers)
    attendee_ids = storable(db, Attendee, "id", attendee_ids)
    if not events or not numbers:
        return {}, {}
    names = in_model_order(Round, ROUND_FIELDS)
    seat_names = ["attendee_id", "table_id"]
    seated = (
        f"{column(db, Seat, 'round_id')} = {column(db, Round, 'id')} AND "
        f"{column(db, Seat, 'attendee_id')} IN ({placeholders(len(attendee_ids))})"
        if attendee_ids
        else "1 = 0"
    )
    sql = (
        f"SELECT {', '.join(column(db, Round, f) for f in names)}, "
        f"{', '.join(column(db, Seat, f) for f in seat_names)} "
        f"FROM {table_name(db, Round)} LEFT OUTER JOIN {table_name(db, Seat)} ON {seated} "
        f"WHERE {column(db, Round, 'event_id')} IN ({placeholders(len(events))}) "
        f"AND {column(db, Round, 'number')} IN ({placeholders(len(numbers))})"
    )
    fields = [(Round, f) for f in names] + [(Seat, f) for f in seat_names]
    width = len(names)
    found: dict[tuple[int, int], Round] = {}
    seats: dict[tuple[int, int], int] = {}
    for row in fetch(db, sql, [*attendee_ids, *events, *numbers], fields):
        round_ = Round.from_db(db.alias, names, row[:width])
        found.setdefault((round_.event_id, round_.number), round_)
        attendee_id, table_id = row[width:]
        if attendee_id is not None:
            seats[(round_.pk, attendee_id)] = table_id
    return found, seats


def cards_given(givers: set[int], client_ids: Sequence[Any], receivers: set[int]) -> list[Card]:
    """The cards these givers gave, with one of these client ids or to one of these
    receivers, reading ``CARD_FIELDS`` only (a repeated tap is answered by its card's pk)."""
    db = database()
    givers = storable(db, Attendee, "id", givers)
    receivers = storable(db, Attendee, "id", receivers)
    if not givers or not (client_ids or receivers):
        return []
    names = in_model_order(Card, CARD_FIELDS)
    either = []
    if client_ids:
        either.append(f"{column(db, Card, 'client_id')} IN ({placeholders(len(client_ids))})")
    if receivers:
        either.append(f"{column(db, Card, 'receiver_id')} IN ({placeholders(len(receivers))})")
    sql = (
        f"SELECT {', '.join(column(db, Card, f) for f in names)} "
        f"FROM {table_name(db, Card)} "
        f"WHERE ({' OR '.join(either)}) "
        f"AND {column(db, Card, 'giver_id')} IN ({placeholders(len(givers))})"
    )
    params = [*prepared(db, Card, "client_id", client_ids), *receivers, *givers]
    rows = fetch(db, sql, params, [(Card, f) for f in names])
    return [Card.from_db(db.alias, names, row) for row in rows]


CARD_INSERT_FIELDS = (
    "round_id",
    "giver_id",
    "receiver_id",
    "kind",
    "note",
    "client_id",
    "created_at",
)


def insert_cards(cards: Sequence[Card]) -> None:
    """Store new cards (unsaved ``Card`` objects) with one ``INSERT … RETURNING`` per
    ``bulk_batch_size`` of them, as ``bulk_create`` does: each gets its ``created_at`` (now)
    and its pk. Raises ``IntegrityError`` (a ``DatabaseError``) as ``bulk_create`` would, for
    a card given meanwhile by another process. Where the database cannot return the new rows'
    ids, ``bulk_create`` itself."""
    db = database()
    if not cards:
        return
    if not db.features.can_return_rows_from_bulk_insert:
        Card.objects.bulk_create(cards)
        return
    now = timezone.now()
    fields = [Card._meta.get_field(name) for name in CARD_INSERT_FIELDS]
    pk = column(db, Card, "id", table=False)
    table = table_name(db, Card)
    names = ", ".join(column(db, Card, name, table=False) for name in CARD_INSERT_FIELDS)
    row = f"({placeholders(len(fields))})"
    size = max(1, db.ops.bulk_batch_size(fields, cards))
    for start in range(0, len(cards), size):
        chunk = cards[start : start + size]
        params = []
        for card in chunk:
            card.created_at = now
            params.extend(
                field.get_db_prep_save(getattr(card, field.attname), db) for field in fields
            )
        sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([row] * len(chunk))} RETURNING {pk}"
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [found for (found,) in cursor.fetchall()]
        for card, card_id in zip(chunk, ids, strict=True):
            card.pk = card_id
            card._state.adding = False
            card._state.db = db.alias
