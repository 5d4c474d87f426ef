"""Django's PostgreSQL backend whose pooled connections are checked fit for a restart
(``config/postgresql/base.py``)."""
