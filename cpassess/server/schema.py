"""The team server's schema, as versioned migrations like the local store's (each in one transaction).

Everything lives in the schema `cpassess`. Row-level security does the mailbox's rules: a member inserts
packages from themselves to active members and reads and collects only those addressed to them; the roster and
the audit heads are readable by every member, the roster written by administrators, a head by its own member
(or an administrator). The administrator who runs `server init` owns the tables and is not bound by the policies.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from cpassess.server import ServerError

# A script is formatted with psycopg.sql (the member group role as {group}): a literal brace is written twice.
_V1 = """
CREATE TABLE cpassess.members (
    username text PRIMARY KEY,
    role name NOT NULL UNIQUE,
    administrator boolean NOT NULL DEFAULT false,
    active boolean NOT NULL DEFAULT true,
    added timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION cpassess.me() RETURNS text LANGUAGE sql STABLE
    AS $$ SELECT username FROM cpassess.members WHERE role = current_user AND active $$;
CREATE FUNCTION cpassess.i_am_administrator() RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT coalesce((SELECT administrator FROM cpassess.members WHERE role = current_user AND active),
                          false) $$;
CREATE TABLE cpassess.packages (
    id bigserial PRIMARY KEY,
    sha256 text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{{64}}$'),
    sender text NOT NULL REFERENCES cpassess.members(username),
    recipient text NOT NULL REFERENCES cpassess.members(username),
    kind text NOT NULL CHECK (kind IN ('submission', 'decision')),
    body bytea NOT NULL,
    sent timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX packages_by_recipient ON cpassess.packages (recipient, id);
CREATE TABLE cpassess.rosters (
    serial bigint PRIMARY KEY,
    sha256 text NOT NULL UNIQUE,
    body bytea NOT NULL,
    published timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE cpassess.audit_heads (
    username text PRIMARY KEY REFERENCES cpassess.members(username),
    seq bigint NOT NULL,
    hash text NOT NULL,
    signature bytea NOT NULL,
    published timestamptz NOT NULL DEFAULT now()
);
CREATE FUNCTION cpassess.tell_recipient() RETURNS trigger LANGUAGE plpgsql
    AS $$ BEGIN PERFORM pg_notify('cpassess_inbox', NEW.recipient); RETURN NULL; END $$;
CREATE TRIGGER packages_tell_recipient AFTER INSERT ON cpassess.packages
    FOR EACH ROW EXECUTE FUNCTION cpassess.tell_recipient();

ALTER TABLE cpassess.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE cpassess.packages ENABLE ROW LEVEL SECURITY;
ALTER TABLE cpassess.rosters ENABLE ROW LEVEL SECURITY;
ALTER TABLE cpassess.audit_heads ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON SCHEMA cpassess FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA cpassess FROM PUBLIC;
GRANT USAGE ON SCHEMA cpassess TO {group};
GRANT SELECT ON cpassess.schema_version TO {group};

GRANT SELECT ON cpassess.members TO {group};
CREATE POLICY members_are_known ON cpassess.members FOR SELECT TO {group} USING (true);

GRANT SELECT, INSERT, DELETE ON cpassess.packages TO {group};
GRANT USAGE ON SEQUENCE cpassess.packages_id_seq TO {group};
CREATE POLICY packages_sent_as_oneself ON cpassess.packages FOR INSERT TO {group}
    WITH CHECK (sender = (SELECT cpassess.me())
                AND recipient IN (SELECT username FROM cpassess.members WHERE active));
CREATE POLICY packages_read_by_recipient ON cpassess.packages FOR SELECT TO {group}
    USING (recipient = (SELECT cpassess.me()));
CREATE POLICY packages_collected_by_recipient ON cpassess.packages FOR DELETE TO {group}
    USING (recipient = (SELECT cpassess.me()));

GRANT SELECT, INSERT ON cpassess.rosters TO {group};
CREATE POLICY rosters_are_known ON cpassess.rosters FOR SELECT TO {group} USING (true);
CREATE POLICY rosters_published_by_administrators ON cpassess.rosters FOR INSERT TO {group}
    WITH CHECK ((SELECT cpassess.i_am_administrator()));

GRANT SELECT, INSERT, UPDATE ON cpassess.audit_heads TO {group};
CREATE POLICY heads_are_known ON cpassess.audit_heads FOR SELECT TO {group} USING (true);
CREATE POLICY heads_published_by_their_member ON cpassess.audit_heads FOR INSERT TO {group}
    WITH CHECK (username = (SELECT cpassess.me()) OR (SELECT cpassess.i_am_administrator()));
CREATE POLICY heads_moved_by_their_member ON cpassess.audit_heads FOR UPDATE TO {group}
    USING (username = (SELECT cpassess.me()) OR (SELECT cpassess.i_am_administrator()))
    WITH CHECK (username = (SELECT cpassess.me()) OR (SELECT cpassess.i_am_administrator()));
"""

# v2: a leaver's membership ended from an administrator's own login (`cpassess user remove` on their laptop, or
# their next sync), with the rights of the schema's owner, who made the member roles. The caller is checked as
# the login (session_user): inside the function current_user is the owner. NULL: not an active member.
_V2 = """
CREATE FUNCTION cpassess.end_membership(leaver text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    leaver_role name;
    deleted bigint;
BEGIN
    IF NOT (pg_has_role(session_user, current_user, 'MEMBER') OR EXISTS (
            SELECT 1 FROM cpassess.members WHERE role = session_user AND active AND administrator)) THEN
        RAISE insufficient_privilege USING MESSAGE = 'only an administrator ends a membership';
    END IF;
    SELECT role INTO leaver_role FROM cpassess.members WHERE username = leaver AND active;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF leaver_role = session_user THEN
        RAISE insufficient_privilege USING MESSAGE = 'an administrator cannot end their own membership';
    END IF;
    UPDATE cpassess.members SET active = false WHERE username = leaver;
    DELETE FROM cpassess.packages WHERE recipient = leaver;  -- only the leaver could open them
    GET DIAGNOSTICS deleted = ROW_COUNT;
    BEGIN
        PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = leaver_role;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE WARNING 'the open sessions of a removed member could not be ended (needs pg_signal_backend)';
    END;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = leaver_role) THEN
        EXECUTE format('DROP ROLE %I', leaver_role);
    END IF;
    RETURN deleted;
END $$;
REVOKE ALL ON FUNCTION cpassess.end_membership(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cpassess.end_membership(text) TO {group};
"""

SERVER_MIGRATIONS: tuple[str, ...] = (_V1, _V2)


def schema_version(connection: Any) -> int:
    """The schema version on the server; 0 where `server init` has not run."""
    exists = connection.execute("SELECT to_regclass('cpassess.schema_version')").fetchone()[0]
    if exists is None:
        return 0
    return int(connection.execute("SELECT coalesce(max(version), 0) FROM cpassess.schema_version").fetchone()[0])


def migrate(connection: Any, group: str) -> int:
    """Bring the server schema up to date in one transaction; a newer schema is refused, not touched."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(hashtext('cpassess schema'))")
        connection.execute("CREATE SCHEMA IF NOT EXISTS cpassess")
        connection.execute("CREATE TABLE IF NOT EXISTS cpassess.schema_version (version integer PRIMARY KEY, "
                           "applied timestamptz NOT NULL DEFAULT now())")
        version = schema_version(connection)
        if version > len(SERVER_MIGRATIONS):
            raise ServerError("The team server was set up by a newer version of cpassess; update cpassess first.")
        for number, script in enumerate(SERVER_MIGRATIONS[version:], start=version + 1):
            connection.execute(sql.SQL(script).format(group=sql.Identifier(group)))
            connection.execute("INSERT INTO cpassess.schema_version (version) VALUES (%s)", (number,))
    return len(SERVER_MIGRATIONS)


def check_schema(connection: Any) -> None:
    """Refuse a server that is not set up, or set up by a different version, before any work is done."""
    version = schema_version(connection)
    if version == 0:
        raise ServerError("The team server has not been set up: an administrator runs cpassess server init.")
    if version != len(SERVER_MIGRATIONS):
        raise ServerError("The team server's schema is from a different version of cpassess: "
                          + ("update cpassess." if version > len(SERVER_MIGRATIONS)
                             else "an administrator runs cpassess server init to upgrade it."))
