package region

// SubtreeSQL is the SQL condition matching the codes in column col of the
// subtree rooted at root, for every package that filters rows by area.
// The range lets an index on the column work; the substr makes it exact
// whatever the collation.
func SubtreeSQL(col, root string) (string, []any) {
	hi, ok := NextPrefix(root)
	if !ok {
		return "substr(" + col + ", 1, ?) = ?", []any{len(root), root}
	}
	return "(" + col + " >= ? AND " + col + " < ? AND substr(" + col + ", 1, ?) = ?)", []any{root, hi, len(root), root}
}

// NextPrefix returns the smallest digit string greater than every string
// starting with p ("410411" → "410412", "4199" → "42"), or false when p is
// all nines.
func NextPrefix(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
