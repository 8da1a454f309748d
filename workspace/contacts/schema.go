package contacts

import (
	"encoding/json"
	"fmt"
)

// Argument schemas of the contact tools (DESIGN §8 fixes the names).
// Nullable update fields let a model send null for "leave unchanged".

const fieldProps = `
	"email":   {"type": %[1]s, "maxLength": 254, "description": "Email address, e.g. jane@acme.com; unique within the workspace"},
	"phone":   {"type": %[1]s, "maxLength": 50, "description": "Phone number: digits, spaces, + ( ) - . / and an optional extension"},
	"company": {"type": %[1]s, "maxLength": 200, "description": "Company or organisation the contact works for"},
	"title":   {"type": %[1]s, "maxLength": 200, "description": "Job title, e.g. CEO"},
	"city":    {"type": %[1]s, "maxLength": 200, "description": "City the contact is based in"},
	"tags":    {"type": %[2]s, "maxItems": 20, "items": {"type": "string", "minLength": 1, "maxLength": 50}, "description": "Labels such as customer or investor (at most 20, each at most 50 characters)"},
	"notes":   {"type": %[1]s, "maxLength": 10000, "description": "Free-form notes"}`

var (
	createSchema = json.RawMessage(fmt.Sprintf(`{
	"type": "object",
	"additionalProperties": false,
	"required": ["name"],
	"properties": {
	"name":    {"type": "string", "minLength": 1, "maxLength": 200, "description": "Full name of the person, e.g. Jane Doe"},`+fieldProps+`
	}}`, `"string"`, `"array"`))

	updateSchema = json.RawMessage(fmt.Sprintf(`{
	"type": "object",
	"additionalProperties": false,
	"required": ["id"],
	"properties": {
	"id":      {"type": "string", "minLength": 1, "maxLength": 64, "description": "Id of the contact to change"},
	"name":    {"type": ["string", "null"], "minLength": 1, "maxLength": 200, "description": "New full name; omit or null to keep"},`+fieldProps+`
	}}`, `["string", "null"]`, `["array", "null"]`))

	idSchema = json.RawMessage(`{
	"type": "object",
	"additionalProperties": false,
	"required": ["id"],
	"properties": {
		"id": {"type": "string", "minLength": 1, "maxLength": 64, "description": "Id of the contact (a ULID from contacts_search or contacts_create)"}
	}}`)

	searchSchema = json.RawMessage(`{
	"type": "object",
	"additionalProperties": false,
	"properties": {
		"query":   {"type": "string", "maxLength": 200, "description": "Free text; every word must appear in the name, email, company, title, city, notes or tags"},
		"name":    {"type": "string", "maxLength": 200, "description": "Part of the name (case-insensitive)"},
		"email":   {"type": "string", "maxLength": 200, "description": "Part of the email address, e.g. @acme.com"},
		"company": {"type": "string", "maxLength": 200, "description": "Part of the company name"},
		"city":    {"type": "string", "maxLength": 200, "description": "Part of the city name"},
		"tag":     {"type": "string", "maxLength": 50, "description": "A whole tag the contact must carry (case-insensitive)"},
		"limit":   {"type": "integer", "minimum": 1, "maximum": 100, "description": "Page size, default 20"},
		"cursor":  {"type": "string", "maxLength": 1000, "description": "next_cursor from the previous page, to get the next one"}
	}}`)
)
