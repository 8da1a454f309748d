package org

import "encoding/json"

// Argument schemas of the org tools (docs/tools.md fixes the names).
var (
	departmentsSchema = json.RawMessage(`{
	"type": "object",
	"additionalProperties": false,
	"properties": {}
	}`)

	teamsSchema = json.RawMessage(`{
	"type": "object",
	"additionalProperties": false,
	"properties": {
		"department_id": {"type": "string", "maxLength": 64, "description": "Only teams of this department (ids from org_departments)"},
		"member_id":     {"type": "string", "maxLength": 64, "description": "Only teams this member is in (ids from org_members); \"me\" for yourself"}
	}}`)

	membersSchema = json.RawMessage(`{
	"type": "object",
	"additionalProperties": false,
	"properties": {
		"query":         {"type": "string", "maxLength": 200, "description": "Free text; every word must appear in the member's name or email"},
		"team_id":       {"type": "string", "maxLength": 64, "description": "Only members of this team (ids from org_teams)"},
		"department_id": {"type": "string", "maxLength": 64, "description": "Only members of this department's teams, and its lead"},
		"limit":         {"type": "integer", "minimum": 1, "maximum": 100, "description": "Page size, default 20"},
		"cursor":        {"type": "string", "maxLength": 1000, "description": "next_cursor from the previous page, to get the next one"}
	}}`)
)
