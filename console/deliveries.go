package console

import (
	"net/http"

	"github.com/soisnode/soisnode/access"
	"github.com/soisnode/soisnode/webhook"
)

type deliveriesData struct {
	Filter     listFilter
	Deliveries []webhook.Delivery
	Next       string
}

// deliveryPage is how many deliveries a page lists.
const deliveryPage = 50

func (c *Console) deliveriesPage(w http.ResponseWriter, r *http.Request, m Member) {
	ctx := r.Context()
	q := r.URL.Query()
	d := deliveriesData{Filter: listFilter{Page: "deliveries", Key: q.Get("key"), Status: q.Get("status"), Statuses: []string{"pending", "delivered", "dead", "disabled"}}}
	keys, err := access.ListKeys(ctx, c.cfg.DB, m.WorkspaceID)
	if err != nil {
		c.fail(w, r, http.StatusInternalServerError, "Deliveries", c.userError(r, err))
		return
	}
	d.Filter.Keys = keys
	status := http.StatusOK
	ds, err := c.cfg.Deliveries.List(ctx, webhook.Filter{WorkspaceID: m.WorkspaceID, KeyID: d.Filter.Key, Status: webhook.Status(d.Filter.Status),
		Before: q.Get("before"), Limit: deliveryPage})
	if err != nil {
		d.Filter.Err, status = c.userError(r, err), http.StatusUnprocessableEntity
	}
	d.Deliveries = ds
	if len(ds) == deliveryPage {
		d.Next = ds[len(ds)-1].ID
	}
	c.page(w, r, status, "Deliveries", "deliveries", d)
}

type deliveryData struct {
	D          webhook.Delivery
	Attempts   []webhook.Attempt
	Redelivery bool
	Err        string
}

func (c *Console) deliveryPage(w http.ResponseWriter, r *http.Request, m Member) {
	c.renderDelivery(w, r, m, http.StatusOK, "")
}

func (c *Console) renderDelivery(w http.ResponseWriter, r *http.Request, m Member, status int, msg string) {
	d, attempts, err := c.cfg.Deliveries.Get(r.Context(), m.WorkspaceID, r.PathValue("id"))
	if err != nil {
		c.failRead(w, r, "Delivery", err)
		return
	}
	c.page(w, r, status, "Delivery", "delivery", deliveryData{D: d, Attempts: attempts, Redelivery: r.URL.Query().Get("queued") == "1", Err: msg})
}

func (c *Console) redeliver(w http.ResponseWriter, r *http.Request, m Member) {
	id := r.PathValue("id")
	if err := c.cfg.Deliveries.Redeliver(r.Context(), m.WorkspaceID, id); err != nil {
		if isNotFound(err) {
			c.notFound(w, r)
			return
		}
		c.renderDelivery(w, r, m, http.StatusUnprocessableEntity, c.userError(r, err))
		return
	}
	http.Redirect(w, r, Path+"/deliveries/"+id+"?queued=1", http.StatusSeeOther)
}
