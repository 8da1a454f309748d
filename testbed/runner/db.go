package runner

import (
	"context"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5"

	"github.com/soisnode/soisnode/store/storetest"
)

// postgres hands out one fresh database per node group on a PostgreSQL
// server: TEST_DATABASE_URL, the admin URL given, or a throw-away cluster
// (store/storetest) started on first use and stopped by close.
type postgres struct {
	admin   string
	cluster *storetest.Cluster
	made    []string
}

func (p *postgres) database(ctx context.Context) (string, error) {
	if p.admin == "" {
		p.admin = os.Getenv("TEST_DATABASE_URL")
	}
	if p.admin == "" {
		c, err := storetest.StartCluster()
		if err != nil {
			return "", fmt.Errorf("runner: postgres: %w", err)
		}
		p.cluster, p.admin = c, c.URL
	}
	conn, err := pgx.Connect(ctx, p.admin)
	if err != nil {
		return "", fmt.Errorf("runner: postgres: connect: %w", err)
	}
	defer conn.Close(ctx)
	name := storetest.NewDatabaseName()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("runner: postgres: create database: %w", err)
	}
	p.made = append(p.made, name)
	return storetest.WithDatabase(p.admin, name), nil
}

// close drops the databases made (keep: left for inspection) and stops a
// cluster this run started.
func (p *postgres) close(keep bool) {
	if p.admin != "" && !keep && p.cluster == nil {
		ctx := context.Background()
		if conn, err := pgx.Connect(ctx, p.admin); err == nil {
			for _, name := range p.made {
				_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			}
			conn.Close(ctx)
		}
	}
	p.cluster.Stop()
}
