package region

import (
	"embed"
	"io"
)

// seedFiles is the demo district, 湛河区 of 平顶山市 (410411), with its
// province and city, its 10 streets and 104 communities, cut from the
// china-division 2.7.0 data (see seeddata/LICENSE-china-division.txt).
//
//go:embed seeddata/*.csv seeddata/LICENSE-china-division.txt
var seedFiles embed.FS

// DemoSources returns the embedded demo district as import sources, so the
// demo needs no files next to the binary.
func DemoSources() []Source {
	names := []string{"provinces.csv", "cities.csv", "areas.csv", "streets.csv", "communities.csv"}
	out := make([]Source, len(names))
	for i, name := range names {
		out[i] = Source{Name: name, Open: func() (io.ReadCloser, error) { return seedFiles.Open("seeddata/" + name) }}
	}
	return out
}
