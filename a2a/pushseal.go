package a2a

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/soisnode/soisnode/store"
)

// pushSecrets is what a push config holds for its receiver's own check:
// sealed at rest, shown masked, sent only to the receiver.
type pushSecrets struct {
	Token       string `json:"token,omitempty"`
	Credentials string `json:"credentials,omitempty"`
}

func pushLabel(taskID, id string) string    { return "a2apush:" + taskID + ":" + id }
func headersLabel(deliveryID string) string { return "a2apush-headers:" + deliveryID }

// sealJSON seals v's JSON under label.
func (s *Server) sealJSON(label string, v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("a2a: seal %s: %w", label, err)
	}
	sealed, err := s.cfg.Sealer.Seal(label, plain)
	if err != nil {
		return nil, fmt.Errorf("a2a: seal %s: %w", label, err)
	}
	return sealed, nil
}

// openJSON opens what sealJSON sealed into v.
func (s *Server) openJSON(label string, sealed []byte, v any) error {
	plain, err := s.cfg.Sealer.Open(label, sealed)
	if err != nil {
		return fmt.Errorf("a2a: open %s: %w", label, err)
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("a2a: open %s: %w", label, err)
	}
	return nil
}

// SealLegacy seals the push secrets stored in plaintext before migration
// 0023 and empties their plaintext columns. Idempotent; the node runs it
// when it starts (several processes may: each row is updated only while
// it is still unsealed).
func (s *Server) SealLegacy(ctx context.Context) error {
	type cfgRow struct{ task, id, token, creds string }
	var cfgs []cfgRow
	err := each(ctx, s.cfg.DB, `SELECT task_id, id, token, auth_credentials FROM a2a_push_configs
		WHERE secrets_enc IS NULL AND (token <> '' OR auth_credentials <> '')`, func(r store.Rows) error {
		var c cfgRow
		if err := r.Scan(&c.task, &c.id, &c.token, &c.creds); err != nil {
			return err
		}
		cfgs = append(cfgs, c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("a2a: seal legacy push configs: %w", err)
	}
	for _, c := range cfgs {
		sealed, err := s.sealJSON(pushLabel(c.task, c.id), pushSecrets{Token: c.token, Credentials: c.creds})
		if err != nil {
			return err
		}
		if _, err := s.cfg.DB.Exec(ctx, `UPDATE a2a_push_configs SET secrets_enc = ?, token = '', auth_credentials = ''
			WHERE task_id = ? AND id = ? AND secrets_enc IS NULL`, sealed, c.task, c.id); err != nil {
			return fmt.Errorf("a2a: seal legacy push config: %w", err)
		}
	}
	type hdrRow struct{ id, headers string }
	var hdrs []hdrRow
	err = each(ctx, s.cfg.DB, `SELECT delivery_id, headers FROM a2a_push_headers WHERE headers_enc IS NULL AND headers <> ''`,
		func(r store.Rows) error {
			var h hdrRow
			if err := r.Scan(&h.id, &h.headers); err != nil {
				return err
			}
			hdrs = append(hdrs, h)
			return nil
		})
	if err != nil {
		return fmt.Errorf("a2a: seal legacy push headers: %w", err)
	}
	for _, h := range hdrs {
		sealed, err := s.cfg.Sealer.Seal(headersLabel(h.id), []byte(h.headers))
		if err != nil {
			return fmt.Errorf("a2a: seal legacy push headers: %w", err)
		}
		if _, err := s.cfg.DB.Exec(ctx, `UPDATE a2a_push_headers SET headers_enc = ?, headers = '' WHERE delivery_id = ? AND headers_enc IS NULL`,
			sealed, h.id); err != nil {
			return fmt.Errorf("a2a: seal legacy push headers: %w", err)
		}
	}
	return nil
}

// each runs query and calls fn for every row.
func each(ctx context.Context, q store.Querier, query string, fn func(store.Rows) error) error {
	rows, err := q.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
