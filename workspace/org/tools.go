package org

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/soisnode/soisnode/workspace"
)

// Tools returns the read-only org_* workspace tools.
func Tools() []workspace.Tool {
	return []workspace.Tool{
		{
			Name:        "org_departments",
			Description: "List the workspace's departments with their leads and teams.",
			Schema:      departmentsSchema, Scope: "org:read", Effect: workspace.Read, Run: runDepartments,
		},
		{
			Name:        "org_teams",
			Description: "List teams with their lead and members, optionally only one department's teams or the teams a member is in.",
			Schema:      teamsSchema, Scope: "org:read", Effect: workspace.Read, Run: runTeams,
		},
		{
			Name:        "org_members",
			Description: "Find workspace members (colleagues) by name or email, team or department, with their role, email and teams; use their ids to assign tasks.",
			Schema:      membersSchema, Scope: "org:read", Effect: workspace.Read, Run: runMembers,
		},
	}
}

func runDepartments(ctx context.Context, env workspace.Env, args json.RawMessage) (workspace.Result, error) {
	ds, err := Departments(ctx, env.Tx, env.Caller.WorkspaceID)
	if err != nil {
		return workspace.Result{}, err
	}
	return workspace.Result{Data: struct {
		Departments []Department `json:"departments"`
	}{ds}}, nil
}

func runTeams(ctx context.Context, env workspace.Env, args json.RawMessage) (workspace.Result, error) {
	var f TeamFilter
	if err := workspace.DecodeArgs(args, &f); err != nil {
		return workspace.Result{}, err
	}
	if strings.EqualFold(f.MemberID, "me") {
		f.MemberID = env.Caller.MemberID
	}
	ts, err := Teams(ctx, env.Tx, env.Caller.WorkspaceID, f)
	if err != nil {
		return workspace.Result{}, err
	}
	return workspace.Result{Data: struct {
		Teams []Team `json:"teams"`
	}{ts}}, nil
}

func runMembers(ctx context.Context, env workspace.Env, args json.RawMessage) (workspace.Result, error) {
	var f MemberFilter
	if err := workspace.DecodeArgs(args, &f); err != nil {
		return workspace.Result{}, err
	}
	page, err := Members(ctx, env.Tx, env.Caller.WorkspaceID, f)
	if err != nil {
		return workspace.Result{}, err
	}
	return workspace.Result{Data: page}, nil
}
