package sheetsafe_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/wenming-civic/wenming/internal/sheetsafe"
)

func TestMessagesSayTheRowAndColumn(t *testing.T) {
	tr := func(key string, args ...any) string {
		switch key {
		case "sheet.at_row":
			return fmt.Sprintf("第 %d 行：%s", args...)
		case "sheet.at_row_column":
			return fmt.Sprintf("第 %d 行「%s」：%s", args...)
		}
		return fmt.Sprint(append([]any{key}, args...)...)
	}
	got := sheetsafe.Messages([]sheetsafe.RowError{
		{Code: "文件为空"}, {Row: 3, Code: "重复"}, {Row: 5, Column: "牵头单位", Code: "未知单位", Args: []any{"甲"}},
	}, tr)
	want := []string{"文件为空", "第 3 行：重复", "第 5 行「牵头单位」：未知单位甲"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
