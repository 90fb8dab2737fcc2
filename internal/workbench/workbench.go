// Package workbench is the home page of every role (工作台): what the
// signed-in person must do today, counted exactly, each item a link
// straight to the action.
//
// The workbench owns no table. Each capability that has work to show
// implements Source in its own package (problem, inspect, bulletin today),
// counting from the tables it owns and deciding from the actor what is
// visible; the server registers the sources when it wires the web server
// (internal/server). A later capability (surveys, dossiers, volunteers,
// selections, tasks) adds its items the same way: implement Source,
// return Items in one of the Sections, and register it in
// internal/server/server.go. Nothing else changes.
package workbench

import (
	"context"
	"fmt"

	"github.com/wenming-civic/wenming/internal/access"
)

// Tone says how urgent an item or entry looks.
type Tone string

// The tones.
const (
	Normal Tone = "normal"
	Warn   Tone = "warn"
	Danger Tone = "danger"
)

// Section groups items on the page.
type Section string

// The sections, each with a heading (workbench.section.<key>).
const (
	SectionTodo    Section = "todo"    // 待办: queues to work through
	SectionFigures Section = "figures" // 今日数据: the day against yesterday
	SectionRanking Section = "ranking" // 黑榜: the units that do worst
	SectionMine    Section = "mine"    // 我的上报: what one reported
)

// Key is the catalogue key of the section's heading.
func (s Section) Key() string { return "workbench.section." + string(s) }

// Text is a catalogue key and its arguments, translated when the page is
// drawn.
type Text struct {
	Key  string
	Args []any
}

// T makes a Text.
func T(key string, args ...any) Text { return Text{Key: key, Args: args} }

// Zero reports whether no text is set.
func (t Text) Zero() bool { return t.Key == "" }

// Entry is one line of an item: a case, a site, a unit.
type Entry struct {
	Label string // data (a case's code and description, a site's name), shown as is
	Note  Text   // e.g. the working time left before the deadline
	Tone  Tone
	Link  string // straight to the action
}

// MaxEntries bounds the lines an item lists; its link shows them all.
const MaxEntries = 5

// Item is one card of the workbench.
type Item struct {
	Kind    string // stable key, e.g. "problem/accept" (no dots: not a catalogue key)
	Section Section
	Title   Text
	Count   int  // exact
	Note    Text // beside the count, e.g. yesterday's figure
	Entries []Entry
	Link    string // the whole list behind Count
	Tone    Tone
}

// Source is a capability that has work to show on the workbench.
type Source interface {
	Items(ctx context.Context, a access.Actor) ([]Item, error)
}

// Board asks every source and puts the items in order.
type Board struct {
	sources []Source
}

// New makes a board of the sources, asked in this order.
func New(sources ...Source) *Board { return &Board{sources: sources} }

// Group is a section with its items.
type Group struct {
	Section Section
	Items   []Item
}

// Groups returns the actor's items by section, in the actor's order.
func (b *Board) Groups(ctx context.Context, a access.Actor) ([]Group, error) {
	if !a.SignedIn() {
		return nil, nil
	}
	by := map[Section][]Item{}
	for _, src := range b.sources {
		items, err := src.Items(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("workbench: %w", err)
		}
		for _, it := range items {
			if len(it.Entries) > MaxEntries {
				it.Entries = it.Entries[:MaxEntries]
			}
			if it.Tone == "" {
				it.Tone = Normal
			}
			by[it.Section] = append(by[it.Section], it)
		}
	}
	var out []Group
	for _, s := range Order(a) {
		if len(by[s]) > 0 {
			out = append(out, Group{Section: s, Items: by[s]})
		}
	}
	return out, nil
}

// Order is the order of the sections for the actor: a leader reads the
// figures first, a citizen their reports, everyone else their queues.
func Order(a access.Actor) []Section {
	switch {
	case a.Has(access.RoleLeader) && !a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleHandler, access.RoleInspector):
		return []Section{SectionFigures, SectionRanking, SectionTodo, SectionMine}
	case !a.HasAny(access.RoleAdmin, access.RoleOffice, access.RoleLeader, access.RoleHandler, access.RoleInspector):
		return []Section{SectionMine, SectionTodo, SectionFigures, SectionRanking}
	}
	return []Section{SectionTodo, SectionFigures, SectionRanking, SectionMine}
}

// positionKey is the context key of the person's position.
type positionKey struct{}

// WithPosition is ctx carrying where the person is (from the phone), so
// that sources may put what is nearest first.
func WithPosition(ctx context.Context, lng, lat float64) context.Context {
	return context.WithValue(ctx, positionKey{}, [2]float64{lng, lat})
}

// PositionOf is the position WithPosition put in ctx.
func PositionOf(ctx context.Context) (lng, lat float64, ok bool) {
	p, ok := ctx.Value(positionKey{}).([2]float64)
	return p[0], p[1], ok
}
