package db

import (
	"strings"
	"testing"
)

func TestTranslateKeepsTheDialectsPart(t *testing.T) {
	src := "CREATE TABLE a (id {{serial}});\n--@sqlite\nCREATE VIRTUAL TABLE s USING fts5(x);\n--@end\n--@postgres\nCREATE TABLE s (x TEXT[]);\n--@end\nCREATE INDEX a_id ON a (id);"
	lite, pg := translate(SQLite, src), translate(Postgres, src)
	for _, c := range []struct {
		got, want, not string
	}{
		{lite, "USING fts5", "TEXT[]"},
		{pg, "TEXT[]", "fts5"},
		{lite, "INTEGER PRIMARY KEY", "--@"},
		{pg, "CREATE INDEX a_id", "--@"},
	} {
		if !strings.Contains(c.got, c.want) || strings.Contains(c.got, c.not) {
			t.Errorf("translated:\n%s\nwant %q and no %q", c.got, c.want, c.not)
		}
	}
}
