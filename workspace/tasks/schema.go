package tasks

import "encoding/json"

// Argument schemas of the task tools (docs/tools.md fixes the names).
// Nullable update fields let a model send null for "leave unchanged".
var (
	createSchema = json.RawMessage(`{
	"type": "object",
	"additionalProperties": false,
	"required": ["title"],
	"properties": {
		"title":       {"type": "string", "minLength": 1, "maxLength": 300, "description": "Short title of the task, e.g. Call Jane about the contract"},
		"description": {"type": "string", "maxLength": 10000, "description": "Longer details; may span several lines"},
		"due":         {"type": "string", "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$", "description": "Due date as YYYY-MM-DD; empty for none"},
		"assignee_id": {"type": "string", "maxLength": 64, "description": "Id of the workspace member to assign (see org_members), \"me\" for yourself, empty for nobody"},
		"contact_id":  {"type": "string", "maxLength": 64, "description": "Id of a contact the task is about (see contacts_search); empty for none"}
	}}`)

	updateSchema = json.RawMessage(`{
	"type": "object",
	"additionalProperties": false,
	"required": ["id"],
	"properties": {
		"id":          {"type": "string", "minLength": 1, "maxLength": 64, "description": "Id of the task to change"},
		"title":       {"type": ["string", "null"], "minLength": 1, "maxLength": 300, "description": "New title; omit or null to keep"},
		"description": {"type": ["string", "null"], "maxLength": 10000, "description": "New description; empty string clears it"},
		"status":      {"anyOf": [{"type": "string", "enum": ["open", "in_progress", "done"]}, {"type": "null"}], "description": "New status: open, in_progress or done; done stamps completed_at"},
		"due":         {"type": ["string", "null"], "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$", "description": "New due date as YYYY-MM-DD; empty string clears it"},
		"contact_id":  {"type": ["string", "null"], "maxLength": 64, "description": "Id of the linked contact; empty string unlinks it"}
	}}`)

	assignSchema = json.RawMessage(`{
	"type": "object",
	"additionalProperties": false,
	"required": ["id", "assignee_id"],
	"properties": {
		"id":          {"type": "string", "minLength": 1, "maxLength": 64, "description": "Id of the task"},
		"assignee_id": {"type": "string", "maxLength": 64, "description": "Id of the workspace member to give it to (see org_members), \"me\" for yourself, or empty to unassign"}
	}}`)

	idSchema = json.RawMessage(`{
	"type": "object",
	"additionalProperties": false,
	"required": ["id"],
	"properties": {
		"id": {"type": "string", "minLength": 1, "maxLength": 64, "description": "Id of the task (a ULID from tasks_search or tasks_create)"}
	}}`)

	searchSchema = json.RawMessage(`{
	"type": "object",
	"additionalProperties": false,
	"properties": {
		"query":       {"type": "string", "maxLength": 200, "description": "Free text; every word must appear in the title, description or linked contact's name"},
		"status":      {"type": "string", "enum": ["", "open", "in_progress", "done"], "description": "Only tasks with this status; empty for any"},
		"assignee_id": {"type": "string", "maxLength": 64, "description": "Only tasks assigned to this member id (\"me\" for yourself)"},
		"contact_id":  {"type": "string", "maxLength": 64, "description": "Only tasks linked to this contact id"},
		"due_from":    {"type": "string", "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$", "description": "Only tasks due on or after this date (YYYY-MM-DD)"},
		"due_to":      {"type": "string", "pattern": "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$", "description": "Only tasks due on or before this date (YYYY-MM-DD)"},
		"limit":       {"type": "integer", "minimum": 1, "maximum": 100, "description": "Page size, default 20"},
		"cursor":      {"type": "string", "maxLength": 1000, "description": "next_cursor from the previous page, to get the next one"}
	}}`)
)
