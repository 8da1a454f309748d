package local

import (
	"fmt"
	"path"
	"strings"
)

func (l filesList) needs() []string {
	if l.folder != "" {
		return []string{"files_search", "files_list"}
	}
	return []string{"files_list"}
}

func (l filesList) run(r *runner) bool {
	where := "the root folder"
	id := ""
	if l.folder != "" {
		f, fl := r.oneItem(l.folder, "folder", "")
		if fl != proceed {
			return cont(fl)
		}
		where, id = "the folder "+fileName(f), f.str("id")
	}
	res, ok := r.exec(mk("files_list", "folder_id", id))
	if !ok {
		return false
	}
	if res[0].failed() {
		r.say("Could not list %s: %s.", where, res[0].err)
		return true
	}
	items := fileItems(res[0].data)
	if len(items) == 0 {
		r.say("%s is empty.", capFirst(where))
		return true
	}
	reply := fmt.Sprintf("%s in %s: %s.", count(len(items), kind{"item", "items", ""}), where, listOf(lines(items, fileLine)))
	if res[0].data.str("next_cursor") != "" {
		reply += morePages
	}
	r.say("%s", reply)
	return true
}

func (filesFind) needs() []string { return []string{"files_search"} }

func (f filesFind) run(r *runner) bool {
	res, ok := r.exec(mk("files_search", "query", f.query))
	if !ok {
		return false
	}
	if res[0].failed() {
		r.say("Could not search files: %s.", res[0].err)
		return true
	}
	items := fileItems(res[0].data)
	if len(items) == 0 {
		r.say("No files matched %q.", f.query)
		return true
	}
	reply := fmt.Sprintf("Found %s matching %q: %s.", count(len(items), kFile), f.query, listOf(lines(items, fileLine)))
	if res[0].data.str("next_cursor") != "" {
		reply += morePages
	}
	r.say("%s", reply)
	return true
}

func (c folderCreate) needs() []string {
	if c.parent != "" {
		return []string{"files_search", "files_create_folder"}
	}
	return []string{"files_create_folder"}
}

func (c folderCreate) run(r *runner) bool {
	var parent obj
	if c.parent != "" {
		p, fl := r.oneItem(c.parent, "folder", "created")
		if fl != proceed {
			return cont(fl)
		}
		parent = p
	}
	res, ok := r.exec(mk("files_create_folder", "name", c.name, "parent_id", parent.str("id")))
	if !ok {
		return false
	}
	if res[0].failed() {
		r.say("Could not create the folder %q: %s.", c.name, res[0].err)
		return true
	}
	name := c.name
	if f := res[0].data.record("folder", "file"); f != nil && f.str("name") != "" {
		name = f.str("name")
	}
	if parent != nil {
		r.say("Folder created: %s (in %s).", name, fileName(parent))
	} else {
		r.say("Folder created: %s.", name)
	}
	return true
}

// fileOps maps each fileChange op to its tool and past tense.
var fileOps = map[string]struct{ tool, done string }{
	"rename": {"files_rename", "renamed"},
	"move":   {"files_move", "moved"},
	"delete": {"files_delete", "deleted"},
}

func (c fileChange) needs() []string { return []string{"files_search", fileOps[c.op].tool} }

func (c fileChange) run(r *runner) bool {
	op := fileOps[c.op]
	calls := []call{mk("files_search", "query", c.name)}
	if c.op == "move" && !c.toRoot {
		calls = append(calls, mk("files_search", "query", c.value))
	}
	res, ok := r.exec(calls...)
	if !ok {
		return false
	}
	if res[0].failed() {
		return cont(r.lookupFailed(quoted(c.name), res[0]))
	}
	k := kFile
	if c.kind == "folder" {
		k = kFolder
	}
	if c.op == "move" && c.kind == "" && !c.toRoot && len(fileItems(res[0].data)) == 0 && validName(c.name) &&
		!res[1].failed() && len(ofKind(fileItems(res[1].data), "folder")) == 0 {
		// "Move Kenji to Kyoto": no file or folder is named Kenji and no
		// folder Kyoto, so it is a contact moving city when the
		// workspace's own names know Kenji as a contact.
		if fl, ok := r.moveContact(c.name, c.value); ok {
			return cont(fl)
		}
	}
	if c.op == "rename" && c.kind == "" && len(fileItems(res[0].data)) == 0 {
		// "Rename Call Priya about the pilot to …": no file is named so,
		// so it is the task of that exact title, or the contact.
		if fl, ok := r.renameOther(c.name, c.value); ok {
			return cont(fl)
		}
	}
	item, fl := r.resolveOne(k, c.name, fileCands(ofKind(fileItems(res[0].data), c.kind)), op.done)
	if fl != proceed {
		return cont(fl)
	}
	var act call
	dest := "the root folder"
	switch c.op {
	case "rename":
		act = mk(op.tool, "id", item.str("id"), "name", c.value)
	case "delete":
		act = mk(op.tool, "id", item.str("id"))
	case "move":
		folderID := ""
		if !c.toRoot {
			if res[1].failed() {
				return cont(r.lookupFailed("the folder "+quoted(c.value), res[1]))
			}
			f, fl := r.resolveOne(kFolder, c.value, fileCands(ofKind(fileItems(res[1].data), "folder")), op.done)
			if fl != proceed {
				return cont(fl)
			}
			folderID, dest = f.str("id"), "the folder "+fileName(f)
		}
		// folder_id is required; empty means the root.
		act = call{tool: op.tool, args: map[string]any{"id": item.str("id"), "folder_id": folderID}}
	}
	out, ok := r.exec(act)
	if !ok {
		return false
	}
	what := "file"
	if isFolder(item) {
		what = "folder"
	}
	name := fileName(item)
	if out[0].failed() {
		r.say("Could not %s the %s %q: %s.", strings.TrimSuffix(op.done, "d"), what, name, out[0].err)
		return true
	}
	switch c.op {
	case "rename":
		newName := c.value
		if f := out[0].data.record("file", "folder"); f != nil && f.str("name") != "" {
			newName = f.str("name")
		}
		r.say("Renamed the %s %q to %q.", what, name, newName)
	case "move":
		r.say("Moved the %s %q to %s.", what, name, dest)
	case "delete":
		r.say("Deleted the %s %q.", what, name)
	}
	return true
}

// oneItem finds the file or folder (kind "file", "folder" or "") a name
// means, asking when several match.
func (r *runner) oneItem(name, kindWord, action string) (obj, flow) {
	res, ok := r.exec(mk("files_search", "query", name))
	if !ok {
		return nil, halt
	}
	if res[0].failed() {
		return nil, r.lookupFailed(quoted(name), res[0])
	}
	k := kFile
	if kindWord == "folder" {
		k = kFolder
	}
	return r.resolveOne(k, name, fileCands(ofKind(fileItems(res[0].data), kindWord)), action)
}

// fileItems reads the entries of a files result.
func fileItems(data obj) []obj {
	for _, k := range []string{"files", "items", "entries"} {
		if l := data.list(k); l != nil {
			return l
		}
	}
	return nil
}

// ofKind keeps folders ("folder"), files ("file") or everything ("").
func ofKind(items []obj, kindWord string) []obj {
	if kindWord == "" {
		return items
	}
	var out []obj
	for _, f := range items {
		if isFolder(f) == (kindWord == "folder") {
			out = append(out, f)
		}
	}
	return out
}

func fileCands(items []obj) []candidate {
	out := make([]candidate, len(items))
	for i, f := range items {
		name := fileName(f)
		stem := strings.TrimSuffix(name, path.Ext(name))
		out[i] = candidate{rec: f, id: f.str("id"), name: name, label: fileLine(f), keys: []string{stem}}
	}
	return out
}

// moveContact sets the city of the contact name when the gazetteer
// knows name as a contact; ok is false when it does not (the move is
// then about a file, and says that none matched).
func (r *runner) moveContact(name, city string) (fl flow, ok bool) {
	g, fl := r.lookup(name, nameContact)
	if fl != proceed {
		return fl, true
	}
	if !g[nameContact] {
		return proceed, false
	}
	// "Move Dan to Hooli": a place the workspace knows only as a
	// company is the contact's new company, not a city named Hooli; a
	// place known as both is not guessed.
	field := "city"
	if !knownCities[strings.ToLower(city)] {
		pg, fl := r.lookup(city, nameCompany, nameCity)
		if fl != proceed {
			return fl, true
		}
		switch {
		case pg[nameCompany] && pg[nameCity]:
			r.say("%s", cantYet(fmt.Sprintf("%q is both a company and a city in your contacts; say \"set %s's city to %s\" or \"%s now works at %s\"", city, name, city, name, city)))
			return skip, true
		case pg[nameCompany]:
			field = "company"
		}
	}
	var f contactFields
	if err := f.set(field, city); err != nil {
		r.say("%s", err.reply())
		return skip, true
	}
	if !(contactUpdate{who: contactRef{name: name}, set: f}).run(r) {
		return halt, true
	}
	return skip, true
}

// renameOther renames what a rename names when no file or folder has
// that name: the task of exactly that title, or the contact. A name
// that is both is not guessed.
func (r *runner) renameOther(name, to string) (fl flow, ok bool) {
	g, fl := r.lookup(name, nameTask, nameContact)
	if fl != proceed {
		return fl, true
	}
	switch {
	case g[nameTask] && g[nameContact]:
		r.say("%s", cantYet(fmt.Sprintf("%q is both a task and a contact; say \"rename the task %s to …\" or \"change %s's name to …\"", name, name, name)))
		return skip, true
	case g[nameTask]:
		if !(taskChange{task: name, op: "title", value: to}).run(r) {
			return halt, true
		}
		return skip, true
	case g[nameContact]:
		var f contactFields
		if err := f.set("name", to); err != nil {
			r.say("%s", err.reply())
			return skip, true
		}
		if !(contactUpdate{who: contactRef{name: name}, set: f}).run(r) {
			return halt, true
		}
		return skip, true
	}
	return proceed, false
}
