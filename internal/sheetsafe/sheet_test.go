package sheetsafe

import (
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
		"+1":                 "'+1",
		"-2":                 "'-2",
		"@x":                 "'@x",
		"\tx":                "'\tx",
		"\rx":                "'\rx",
		"":                   "",
		"路灯不亮":               "路灯不亮",
		"a=b":                "a=b",
		"'quoted":            "'quoted",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
		if got := Restore(Text(in)); got != in && in != "'quoted" {
			t.Errorf("Restore(Text(%q)) = %q", in, got)
		}
	}
}

func TestRowLeavesNumbersAndNeutralisesText(t *testing.T) {
	p := &excelize.Cell{Value: "@SUM(A1)"}
	var nilCell *excelize.Cell
	row := Row([]any{"=1+1", -2, -2.5, excelize.Cell{StyleID: 3, Value: "-x"}, p, nilCell, nil, excelize.Cell{Value: 7}})
	if row[0] != "'=1+1" || row[1] != -2 || row[2] != -2.5 {
		t.Errorf("row = %#v", row)
	}
	if c := row[3].(excelize.Cell); c.Value != "'-x" || c.StyleID != 3 {
		t.Errorf("cell = %#v", c)
	}
	if p.Value != "'@SUM(A1)" {
		t.Errorf("pointer cell = %#v", p.Value)
	}
	if c := row[7].(excelize.Cell); c.Value != 7 {
		t.Errorf("number cell = %#v", c)
	}
}
