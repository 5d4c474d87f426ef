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
SQLite comes back as such). People and rounds come back as tuples of the fields read
(``Person``, ``RoundRow``: a batch of ten taps made some forty model instances of them), the
cards already given as ``Card`` instances with only the fields read (``Model.from_db``: the
others load on access, as with ``QuerySet.only``), since a repeated tap is answered with its
card. The answers are the ORM's: ``tests/feedback/test_tapsql.py`` compares them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.utils import timezone

from events.models import Attendee, Event, erased_name
from feedback.models import Card
from rounds.models import Round, Seat

Converter = Callable[[Any, Any, Any], Any]

PEOPLE_FIELDS = ("event_id", "erased_at", "conduct_accepted_version", "name")
PEOPLE_EVENT_FIELDS = ("status", "conduct_text", "conduct_version")
"""What a batch reads of its givers and receivers, and of their event: what the checks and the
card pushed to the receiver use, not the 70 columns of both rows."""
ROUND_FIELDS = ("event_id", "number", "status")
CARD_FIELDS = ("round_id", "giver_id", "receiver_id", "kind", "client_id")


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


@cache
def in_model_order(model: type[Model], names: tuple[str, ...]) -> tuple[str, ...]:
    """Field attnames in the model's order of concrete fields, with the primary key first: the
    order ``Model.from_db`` takes the values of a partial row in. Made once per model and
    names (each batch asks for the same few, several times)."""
    wanted = set(names) | {model._meta.pk.attname}
    return tuple(field.attname for field in model._meta.concrete_fields if field.attname in wanted)


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


@dataclass(frozen=True)
class Statement:
    """A read to send: its SQL, its parameters, and the (model, field attname) each of its
    columns is read from, in order."""

    sql: str
    params: list[Any]
    fields: list[tuple[type[Model], str]]


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
    return converted(db, rows, fields)


def can_send_together(db: BaseDatabaseWrapper) -> bool:
    """Whether ``fetch_together`` sends its statements in one round trip on ``db``: PostgreSQL
    through a psycopg 3 whose libpq has pipeline mode."""
    if db.vendor != "postgresql":
        return False
    from psycopg import Pipeline

    return Pipeline.is_supported()


def fetch_together(
    db: BaseDatabaseWrapper, statements: Sequence[Statement | None]
) -> list[list[list[Any]]]:
    """The converted rows (as ``fetch``'s) of each statement, an empty list for None. Where
    ``can_send_together``, in one round trip to the server (psycopg's pipeline mode: all are
    sent, then their answers read; the server runs them in order, in the transaction open, so
    a lock taken by one holds for those after it), else one after the other. Raises
    ``DatabaseError`` (Django's) for the first statement that fails; on PostgreSQL the ones after
    it are then not run, and the transaction is to be rolled back, as after any failed
    statement. Opens no transaction of its own: outside one, each statement commits alone."""
    if not can_send_together(db):
        return [
            [] if read is None else fetch(db, read.sql, read.params, read.fields)
            for read in statements
        ]
    db.ensure_connection()
    cursors: list[Any] = []
    try:
        with db.wrap_database_errors, db.connection.pipeline():
            for statement in statements:
                if statement is None:
                    cursors.append(None)
                    continue
                cursor = db.cursor()
                cursors.append(cursor)
                cursor.execute(statement.sql, statement.params)
        return [
            [] if statement is None else converted(db, cursor.fetchall(), statement.fields)
            for statement, cursor in zip(statements, cursors, strict=True)
        ]
    finally:
        for cursor in cursors:
            if cursor is not None:
                cursor.close()


def converted(
    db: BaseDatabaseWrapper,
    rows: Sequence[Sequence[Any]],
    fields: Sequence[tuple[type[Model], str]],
) -> list[list[Any]]:
    """``rows`` as lists, each value converted as the ORM converts the field it was read from."""
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


def people(ids: set[int], *, lock: bool) -> dict[int, Person]:
    """Attendees by id as ``Person`` rows, with their event, reading ``PEOPLE_FIELDS`` and
    ``PEOPLE_EVENT_FIELDS`` only; in id order and, with ``lock`` on a database that has row
    locks, locked ``FOR KEY SHARE`` (the attendee rows only): the lock each card's foreign
    keys take anyway. An erasure's ``FOR UPDATE`` waits for it (and the batch for the
    erasure); a check-in, a "gone home" or a phone's own settings (``FOR NO KEY UPDATE``, a few
    milliseconds) and other batches do not (two batches inserting the same card meet at its
    unique index instead): the one database thread every phone of a process shares is not held
    up behind them."""
    db = database()
    statement = people_statement(db, ids, lock=lock)
    if statement is None:
        return {}
    return people_from(db, fetch(db, statement.sql, statement.params, statement.fields))


def people_statement(db: BaseDatabaseWrapper, ids: set[int], *, lock: bool) -> Statement | None:
    """``people``'s read; None when no id can name a row."""
    ids = storable(db, Attendee, "id", ids)
    if not ids:
        return None
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
        sql += f" FOR KEY SHARE OF {attendees}"
    fields = [(Attendee, f) for f in person_names] + [(Event, f) for f in event_names]
    return Statement(sql, sorted(ids), fields)


class Person(NamedTuple):
    """A giver or receiver of a batch as read (``PEOPLE_FIELDS``; an erased person's name as
    ``Attendee`` reads it, in the active language), with their event (one ``Event`` object per
    event, holding ``PEOPLE_EVENT_FIELDS`` only): a tuple rather than an ``Attendee``, since a
    batch reads a few dozen of them and uses only these fields. It answers to what
    ``events.services.needs_conduct`` reads of an attendee; ``attendee`` makes the model
    instance where one is needed (a take-back, the batch tap by tap)."""

    pk: int
    event_id: int
    erased_at: datetime | None
    conduct_accepted_version: int | None
    name: str
    event: Event


def people_from(db: BaseDatabaseWrapper, rows: list[list[Any]]) -> dict[int, Person]:
    """``people``'s answer from the rows of its statement."""
    person_names = in_model_order(Attendee, PEOPLE_FIELDS)
    event_names = in_model_order(Event, PEOPLE_EVENT_FIELDS)
    found: dict[int, Person] = {}
    events_by_id: dict[int, Event] = {}
    width = len(person_names)
    for row in rows:
        values = dict(zip(person_names, row[:width], strict=True))
        event = events_by_id.get(values["event_id"])
        if event is None:
            event = Event.from_db(db.alias, event_names, row[width:])
            events_by_id[values["event_id"]] = event
        if values["erased_at"] is not None:  # as ``Attendee.from_db`` reads it
            values["name"] = erased_name()
        pk = values.pop("id")
        found[pk] = Person(pk=pk, event=event, **values)
    return found


def attendee(person: Person) -> Attendee:
    """``person`` as an ``Attendee`` with its event, holding only the fields read (the others
    load on access, as with ``QuerySet.only``), as the ORM would make it from the same row (an
    erased person's name in the reader's language: ``Attendee.from_db``)."""
    names = in_model_order(Attendee, PEOPLE_FIELDS)
    values = [person.pk if name == "id" else getattr(person, name) for name in names]
    found = Attendee.from_db(DEFAULT_DB_ALIAS, names, values)
    found.event = person.event
    return found


class RoundRow(NamedTuple):
    """A round as a batch reads it (``ROUND_FIELDS``)."""

    pk: int
    event_id: int
    number: int
    status: str


RoundsAndSeats = tuple[dict[tuple[int, int], RoundRow], dict[tuple[int, int], int]]


def rounds_and_seats(events: set[int], numbers: set[int], attendee_ids: set[int]) -> RoundsAndSeats:
    """The rounds of these numbers in these events, by (event id, number), as ``RoundRow``s;
    and where these people sit in those rounds, table id by (round id, attendee id). One
    statement, the rounds left-joined to these people's seats in them: on PostgreSQL every
    statement is a round trip to the server, waited for by the sockets' one database thread."""
    db = database()
    statement = rounds_and_seats_statement(db, numbers, attendee_ids, events=events)
    if statement is None:
        return {}, {}
    return rounds_and_seats_from(db, fetch(db, statement.sql, statement.params, statement.fields))


def rounds_and_seats_statement(
    db: BaseDatabaseWrapper,
    numbers: set[int],
    attendee_ids: set[int],
    *,
    events: set[int] | None = None,
    events_of: set[int] | None = None,
) -> Statement | None:
    """``rounds_and_seats``'s read, of the rounds of ``events`` or, given ``events_of`` (attendee
    ids) instead, of these attendees' events, read by the statement itself (so it can be sent
    with the read of the attendees, before its answer); None when it would find nothing."""
    numbers = storable(db, Round, "number", numbers)
    attendee_ids = storable(db, Attendee, "id", attendee_ids)
    if events_of is None:
        events = storable(db, Event, "id", events or set())
        event_params: list[Any] = sorted(events)
        in_events = placeholders(len(events))
    else:
        event_params = sorted(storable(db, Attendee, "id", events_of))
        in_events = (
            f"SELECT {column(db, Attendee, 'event_id')} FROM {table_name(db, Attendee)} "
            f"WHERE {column(db, Attendee, 'id')} IN ({placeholders(len(event_params))})"
        )
    if not event_params or not numbers:
        return None
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
        f"WHERE {column(db, Round, 'event_id')} IN ({in_events}) "
        f"AND {column(db, Round, 'number')} IN ({placeholders(len(numbers))})"
    )
    fields = [(Round, f) for f in names] + [(Seat, f) for f in seat_names]
    return Statement(sql, [*attendee_ids, *event_params, *numbers], fields)


def rounds_and_seats_from(db: BaseDatabaseWrapper, rows: list[list[Any]]) -> RoundsAndSeats:
    """``rounds_and_seats``'s answer from the rows of its statement (a round's columns come
    again with each seat in it: the round is made once)."""
    names = in_model_order(Round, ROUND_FIELDS)
    width, pk = len(names), names.index("id")
    found: dict[tuple[int, int], RoundRow] = {}
    by_id: dict[int, RoundRow] = {}
    seats: dict[tuple[int, int], int] = {}
    for row in rows:
        round_id = row[pk]
        if round_id not in by_id:
            values = dict(zip(names, row[:width], strict=True))
            round_ = RoundRow(pk=values.pop("id"), **values)
            by_id[round_id] = round_
            found.setdefault((round_.event_id, round_.number), round_)
        attendee_id, table_id = row[width:]
        if attendee_id is not None:
            seats[(round_id, attendee_id)] = table_id
    return found, seats


def cards_given(givers: set[int], client_ids: Sequence[Any], receivers: set[int]) -> list[Card]:
    """The cards these givers gave, with one of these client ids or to one of these
    receivers, reading ``CARD_FIELDS`` only (a repeated tap is answered by its card's pk; its
    round says whether it was given in another round)."""
    db = database()
    statement = cards_given_statement(db, givers, client_ids, receivers)
    if statement is None:
        return []
    return cards_from(db, fetch(db, statement.sql, statement.params, statement.fields))


def cards_given_statement(
    db: BaseDatabaseWrapper, givers: set[int], client_ids: Sequence[Any], receivers: set[int]
) -> Statement | None:
    """``cards_given``'s read; None when it would find nothing."""
    givers = storable(db, Attendee, "id", givers)
    receivers = storable(db, Attendee, "id", receivers)
    if not givers or not (client_ids or receivers):
        return None
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
    return Statement(sql, params, [(Card, f) for f in names])


def cards_from(db: BaseDatabaseWrapper, rows: list[list[Any]]) -> list[Card]:
    """``cards_given``'s answer from the rows of its statement."""
    names = in_model_order(Card, CARD_FIELDS)
    return [Card.from_db(db.alias, names, row) for row in rows]


def people_and_their_set(
    ids: set[int],
    *,
    givers: set[int],
    numbers: set[int],
    client_ids: Sequence[Any],
    receivers: set[int],
) -> tuple[dict[int, Person], RoundsAndSeats, list[Card]]:
    """``people(ids, lock=True)`` and, read after it in the same transaction, what
    ``rounds_and_seats`` and ``cards_given`` read for a set of "give" taps from ``givers``
    (the rounds of the givers' events, the seats of givers and receivers, the cards the givers
    gave with these client ids or to these receivers), as three statements sent together
    (``fetch_together``: one round trip on PostgreSQL, the attendee rows locked before the
    other two are read). Whoever of the givers turns out erased or missing is read for all the
    same: the caller skips them. Raises ``DatabaseError``."""
    db = database()
    rows = fetch_together(
        db,
        [
            people_statement(db, ids, lock=True),
            rounds_and_seats_statement(db, numbers, givers | receivers, events_of=givers),
            cards_given_statement(db, givers, client_ids, receivers),
        ],
    )
    return people_from(db, rows[0]), rounds_and_seats_from(db, rows[1]), cards_from(db, rows[2])


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
