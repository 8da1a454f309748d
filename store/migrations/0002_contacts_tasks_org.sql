-- Contacts, tasks and the org chart (departments, teams, team members).
-- Every row belongs to one workspace; packages always filter by workspace_id.
-- Member references are checked in code (no foreign key), so removing a
-- member is never blocked by the rows that mention them.

CREATE TABLE contacts (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    owner_id     TEXT NOT NULL DEFAULT '',   -- the member who created it
    name         TEXT NOT NULL,
    email        TEXT NOT NULL DEFAULT '',
    email_key    TEXT NOT NULL DEFAULT '',   -- lower-cased email, computed in Go
    phone        TEXT NOT NULL DEFAULT '',
    company      TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL DEFAULT '',
    city         TEXT NOT NULL DEFAULT '',
    tags         TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    notes        TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX contacts_workspace_name ON contacts (workspace_id, name, id);
-- Backstop for the check Create and Update make in their transaction.
CREATE UNIQUE INDEX contacts_workspace_email ON contacts (workspace_id, email_key) WHERE email_key <> '';

CREATE TABLE tasks (
    id           TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'open', -- open | in_progress | done
    due          TEXT NOT NULL DEFAULT '',     -- YYYY-MM-DD or ''
    assignee_id  TEXT NOT NULL DEFAULT '',     -- a member of the workspace or ''
    contact_id   TEXT NOT NULL DEFAULT '',     -- a contact of the workspace or ''
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    completed_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX tasks_workspace_created ON tasks (workspace_id, created_at, id);
CREATE INDEX tasks_workspace_assignee ON tasks (workspace_id, assignee_id);
CREATE INDEX tasks_workspace_contact ON tasks (workspace_id, contact_id);

CREATE TABLE departments (
    id             TEXT PRIMARY KEY,
    workspace_id   TEXT NOT NULL REFERENCES workspaces(id),
    name           TEXT NOT NULL,
    lead_member_id TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX departments_workspace ON departments (workspace_id, name);

CREATE TABLE teams (
    id             TEXT PRIMARY KEY,
    workspace_id   TEXT NOT NULL REFERENCES workspaces(id),
    department_id  TEXT NOT NULL DEFAULT '',   -- '' for a team outside any department
    name           TEXT NOT NULL,
    lead_member_id TEXT NOT NULL DEFAULT '',
    created_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX teams_workspace ON teams (workspace_id, department_id, name);

CREATE TABLE team_members (
    team_id   TEXT NOT NULL REFERENCES teams(id),
    member_id TEXT NOT NULL,
    PRIMARY KEY (team_id, member_id)
);
CREATE INDEX team_members_member ON team_members (member_id);
