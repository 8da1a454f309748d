package access

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/soisnode/soisnode/budget"
	"github.com/soisnode/soisnode/errs"
	"github.com/soisnode/soisnode/money"
	"github.com/soisnode/soisnode/store"
	"github.com/soisnode/soisnode/workspace"
)

// CreateToken issues an access token for a member. The secret is returned
// once and never stored.
func CreateToken(ctx context.Context, q store.Querier, workspaceID, memberID, name string, now time.Time) (Token, string, error) {
	if name != "" {
		if err := ValidateName("token name", name); err != nil {
			return Token{}, "", err
		}
	}
	if _, err := GetMember(ctx, q, workspaceID, memberID); err != nil {
		return Token{}, "", err
	}
	secret := newSecret(TokenPrefix)
	t := Token{ID: store.NewID(), WorkspaceID: workspaceID, MemberID: memberID, Name: name, CreatedAt: now.UTC()}
	_, err := q.Exec(ctx, `INSERT INTO access_tokens (id, workspace_id, member_id, name, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.ID, workspaceID, memberID, name, hashSecret(secret), store.Micros(now))
	if err != nil {
		return Token{}, "", fmt.Errorf("access: create token: %w", err)
	}
	return t, secret, nil
}

// RevokeToken revokes a token by id. Revoking twice is not an error.
func RevokeToken(ctx context.Context, q store.Querier, workspaceID, id string, now time.Time) error {
	return revoke(ctx, q, "access_tokens", "token", workspaceID, id, now)
}

// revoke stamps the row id of table (access_tokens or api_keys) in the
// workspace as revoked at now, once; what names the record in errors.
func revoke(ctx context.Context, q store.Querier, table, what, workspaceID, id string, now time.Time) error {
	n, err := q.Exec(ctx, `UPDATE `+table+` SET revoked_at = CASE WHEN revoked_at = 0 THEN ? ELSE revoked_at END WHERE id = ? AND workspace_id = ?`,
		store.Micros(now), id, workspaceID)
	if err != nil {
		return fmt.Errorf("access: revoke %s: %w", what, err)
	}
	if n == 0 {
		return errs.E(errs.NotFound, "no %s %q in this workspace", what, id)
	}
	return nil
}

// KeyParams are the settable fields of an integration key.
type KeyParams struct {
	Name             string
	Scopes           []string
	ResponseURL      string
	BudgetDaily      money.Micro // budget.None when unset
	BudgetMonthly    money.Micro
	BudgetTotal      money.Micro
	ThresholdPercent int // 0 means the default, 80
}

// Validate checks p. checkURL validates a non-empty response_url (the
// webhook package's SSRF rules); nil accepts any http(s) URL.
func (p *KeyParams) Validate(checkURL func(string) error) error {
	if p.Name != "" {
		if err := ValidateName("key name", p.Name); err != nil {
			return err
		}
	}
	if err := ValidateScopes(p.Scopes); err != nil {
		return err
	}
	for name, b := range map[string]money.Micro{"daily": p.BudgetDaily, "monthly": p.BudgetMonthly, "total": p.BudgetTotal} {
		if b < budget.None {
			return errs.E(errs.Invalid, "%s budget must not be negative", name)
		}
	}
	if p.ThresholdPercent == 0 {
		p.ThresholdPercent = 80
	}
	if p.ThresholdPercent < 1 || p.ThresholdPercent > 100 {
		return errs.E(errs.Invalid, "threshold must be between 1 and 100 percent")
	}
	if p.ResponseURL != "" && checkURL != nil {
		if err := checkURL(p.ResponseURL); err != nil {
			return errs.Wrap(errs.Invalid, err, "response_url is not allowed: %v", err)
		}
	}
	if p.Scopes == nil {
		p.Scopes = []string{}
	}
	return nil
}

// CreateKey issues an integration key. The secret is returned once.
func CreateKey(ctx context.Context, q store.Querier, workspaceID string, p KeyParams, checkURL func(string) error, now time.Time) (Key, string, error) {
	if err := p.Validate(checkURL); err != nil {
		return Key{}, "", err
	}
	secret := newSecret(KeyPrefix)
	k := Key{ID: store.NewID(), WorkspaceID: workspaceID, Name: p.Name, Scopes: p.Scopes, ResponseURL: p.ResponseURL,
		BudgetDaily: p.BudgetDaily, BudgetMonthly: p.BudgetMonthly, BudgetTotal: p.BudgetTotal,
		ThresholdPercent: p.ThresholdPercent, CreatedAt: now.UTC()}
	scopes, _ := json.Marshal(k.Scopes)
	_, err := q.Exec(ctx, `INSERT INTO api_keys (id, workspace_id, name, hash, scopes, response_url, budget_daily, budget_monthly, budget_total, threshold_percent, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, workspaceID, k.Name, hashSecret(secret), string(scopes), k.ResponseURL,
		int64(k.BudgetDaily), int64(k.BudgetMonthly), int64(k.BudgetTotal), k.ThresholdPercent, store.Micros(now))
	if err != nil {
		return Key{}, "", fmt.Errorf("access: create key: %w", err)
	}
	return k, secret, nil
}

// UpdateKey replaces a key's settable fields.
func UpdateKey(ctx context.Context, q store.Querier, workspaceID, id string, p KeyParams, checkURL func(string) error) (Key, error) {
	if err := p.Validate(checkURL); err != nil {
		return Key{}, err
	}
	scopes, _ := json.Marshal(p.Scopes)
	n, err := q.Exec(ctx, `UPDATE api_keys SET name = ?, scopes = ?, response_url = ?, budget_daily = ?, budget_monthly = ?, budget_total = ?, threshold_percent = ?
		WHERE id = ? AND workspace_id = ?`,
		p.Name, string(scopes), p.ResponseURL, int64(p.BudgetDaily), int64(p.BudgetMonthly), int64(p.BudgetTotal), p.ThresholdPercent, id, workspaceID)
	if err != nil {
		return Key{}, fmt.Errorf("access: update key: %w", err)
	}
	if n == 0 {
		return Key{}, errs.E(errs.NotFound, "no key %q in this workspace", id)
	}
	return GetKey(ctx, q, workspaceID, id)
}

// Limits returns k's budgets as package budget takes them: read once with
// the key, passed to every budget call of a request or turn.
func (k Key) Limits() budget.Limits {
	return budget.Limits{KeyID: k.ID, WorkspaceID: k.WorkspaceID, Daily: k.BudgetDaily, Monthly: k.BudgetMonthly,
		Total: k.BudgetTotal, ThresholdPercent: k.ThresholdPercent}
}

// Params returns k's settable fields, for read-modify-write updates.
func (k Key) Params() KeyParams {
	return KeyParams{Name: k.Name, Scopes: k.Scopes, ResponseURL: k.ResponseURL, BudgetDaily: k.BudgetDaily,
		BudgetMonthly: k.BudgetMonthly, BudgetTotal: k.BudgetTotal, ThresholdPercent: k.ThresholdPercent}
}

// RevokeKey revokes a key by id.
func RevokeKey(ctx context.Context, q store.Querier, workspaceID, id string, now time.Time) error {
	return revoke(ctx, q, "api_keys", "key", workspaceID, id, now)
}

const keyCols = `id, workspace_id, name, scopes, response_url, budget_daily, budget_monthly, budget_total, threshold_percent, created_at, revoked_at`

func scanKey(r interface{ Scan(...any) error }) (Key, error) {
	var k Key
	var scopes string
	var daily, monthly, total, created, revoked int64
	if err := r.Scan(&k.ID, &k.WorkspaceID, &k.Name, &scopes, &k.ResponseURL, &daily, &monthly, &total, &k.ThresholdPercent, &created, &revoked); err != nil {
		return Key{}, err
	}
	if err := json.Unmarshal([]byte(scopes), &k.Scopes); err != nil {
		return Key{}, fmt.Errorf("access: key %s scopes: %w", k.ID, err)
	}
	k.BudgetDaily, k.BudgetMonthly, k.BudgetTotal = money.Micro(daily), money.Micro(monthly), money.Micro(total)
	k.CreatedAt, k.Revoked = store.Time(created), revoked != 0
	return k, nil
}

// GetKey returns a key of a workspace by id.
func GetKey(ctx context.Context, q store.Querier, workspaceID, id string) (Key, error) {
	k, err := scanKey(q.QueryRow(ctx, `SELECT `+keyCols+` FROM api_keys WHERE id = ? AND workspace_id = ?`, id, workspaceID))
	if err == store.ErrNoRows {
		return Key{}, errs.E(errs.NotFound, "no key %q in this workspace", id)
	}
	if err != nil {
		return Key{}, fmt.Errorf("access: get key: %w", err)
	}
	return k, nil
}

// FindKey returns a key by id in any workspace (for background work that
// already holds a key id).
func FindKey(ctx context.Context, q store.Querier, id string) (Key, error) {
	k, err := scanKey(q.QueryRow(ctx, `SELECT `+keyCols+` FROM api_keys WHERE id = ?`, id))
	if err == store.ErrNoRows {
		return Key{}, errs.E(errs.NotFound, "no key %q", id)
	}
	return k, err
}

// ListKeys returns a workspace's keys, oldest first.
func ListKeys(ctx context.Context, q store.Querier, workspaceID string) ([]Key, error) {
	rows, err := q.Query(ctx, `SELECT `+keyCols+` FROM api_keys WHERE workspace_id = ? ORDER BY created_at, id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("access: list keys: %w", err)
	}
	defer rows.Close()
	var out []Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Authenticate resolves a bearer token and an integration key to a
// Principal. Both must be valid, unrevoked and of the same workspace; any
// failure is the same Unauthorized error, revealing nothing about which.
func Authenticate(ctx context.Context, q store.Querier, token, apiKey string) (Principal, error) {
	denied := errs.E(errs.Unauthorized, "invalid or missing credentials: send Authorization: Bearer sois_tok_… and X-Api-Key: sois_… of the same workspace")
	if !LooksLikeToken(token) || !LooksLikeKey(apiKey) {
		return Principal{}, denied
	}
	th, kh := hashSecret(token), hashSecret(apiKey)
	var storedTH, storedKH, memberWS string
	var m Member
	var role string
	var mAt, tokRevoked int64
	// Both credentials in one statement (one round trip to the database):
	// no row when either is unknown, which is denied like any failure.
	k, err := scanKey(authRow{q.QueryRow(ctx, `SELECT t.hash, t.revoked_at, m.id, m.workspace_id, m.name, m.email, m.role, m.created_at,
		k.hash, `+qualifiedKeyCols+`
		FROM access_tokens t JOIN members m ON m.id = t.member_id, api_keys k WHERE t.hash = ? AND k.hash = ?`, th, kh),
		[]any{&storedTH, &tokRevoked, &m.ID, &memberWS, &m.Name, &m.Email, &role, &mAt, &storedKH}})
	if err == store.ErrNoRows {
		return Principal{}, denied
	}
	if err != nil {
		return Principal{}, fmt.Errorf("access: authenticate: %w", err)
	}
	tokenOK := sameHash(storedTH, th) && tokRevoked == 0
	keyOK := sameHash(storedKH, kh) && !k.Revoked
	if !tokenOK || !keyOK || memberWS != k.WorkspaceID {
		return Principal{}, denied
	}
	m.WorkspaceID, m.Role, m.CreatedAt = memberWS, workspace.Role(role), store.Time(mAt)
	return Principal{
		Caller: workspace.Caller{WorkspaceID: k.WorkspaceID, MemberID: m.ID, Role: m.Role, KeyID: k.ID, Scopes: k.Scopes},
		Key:    k,
		Member: m,
	}, nil
}

// qualifiedKeyCols is keyCols of api_keys k, for a join.
var qualifiedKeyCols = "k." + strings.ReplaceAll(keyCols, ", ", ", k.")

// authRow scans Authenticate's leading columns into lead, then the key's
// into the caller's dests.
type authRow struct {
	r    store.Row
	lead []any
}

func (a authRow) Scan(dest ...any) error {
	return a.r.Scan(append(a.lead[:len(a.lead):len(a.lead)], dest...)...)
}

// ListTokens returns the workspace's access tokens (never their secrets),
// oldest first; memberID, when not empty, keeps only that member's.
func ListTokens(ctx context.Context, q store.Querier, workspaceID, memberID string) ([]Token, error) {
	rows, err := q.Query(ctx, `SELECT id, workspace_id, member_id, name, created_at, revoked_at FROM access_tokens
		WHERE workspace_id = ? AND (? = '' OR member_id = ?) ORDER BY created_at, id`, workspaceID, memberID, memberID)
	if err != nil {
		return nil, fmt.Errorf("access: list tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var created, revoked int64
		if err := rows.Scan(&t.ID, &t.WorkspaceID, &t.MemberID, &t.Name, &created, &revoked); err != nil {
			return nil, fmt.Errorf("access: list tokens: %w", err)
		}
		t.CreatedAt, t.Revoked = store.Time(created), revoked != 0
		out = append(out, t)
	}
	return out, rows.Err()
}

// MemberByToken returns the member a live access token belongs to (the
// console's sign-in form), or Unauthorized with one message for every
// failure.
func MemberByToken(ctx context.Context, q store.Querier, token string) (Member, error) {
	denied := errs.E(errs.Unauthorized, "that access token is not valid")
	if !LooksLikeToken(token) {
		return Member{}, denied
	}
	h := hashSecret(token)
	var stored string
	var revoked int64
	m, err := scanMember(rowPrefix2{q.QueryRow(ctx, `SELECT t.hash, t.revoked_at, m.id, m.workspace_id, m.name, m.email, m.role, m.created_at
		FROM access_tokens t JOIN members m ON m.id = t.member_id WHERE t.hash = ?`, h), &stored, &revoked})
	if err == store.ErrNoRows {
		return Member{}, denied
	}
	if err != nil {
		return Member{}, fmt.Errorf("access: member by token: %w", err)
	}
	if !sameHash(stored, h) || revoked != 0 {
		return Member{}, denied
	}
	return m, nil
}

type rowPrefix2 struct {
	r       store.Row
	hash    *string
	revoked *int64
}

func (rp rowPrefix2) Scan(dest ...any) error {
	return rp.r.Scan(append([]any{rp.hash, rp.revoked}, dest...)...)
}
