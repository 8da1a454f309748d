-- Peers get a local name (package peers, DESIGN §7: `peers add URL
-- --name N`), unique per workspace, by which operators and agents name
-- them. name was the card's self-declared name; that moves to card_name.
-- Existing peers keep their card name as their local name unless two in a
-- workspace share it; those are named by their peer id instead.

ALTER TABLE peers ADD COLUMN card_name TEXT NOT NULL DEFAULT '';

UPDATE peers SET card_name = name;

UPDATE peers SET name = id WHERE EXISTS (
    SELECT 1 FROM peers AS other
    WHERE other.workspace_id = peers.workspace_id AND other.name = peers.name AND other.id <> peers.id
);

CREATE UNIQUE INDEX peers_workspace_name ON peers (workspace_id, name);
