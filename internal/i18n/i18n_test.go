package i18n

import "testing"

func TestLoadAndFormat(t *testing.T) {
	c, err := Load("zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("page.summary", 30, 1, 2); got != "共 30 条，第 1 / 2 页" {
		t.Errorf("T(page.summary) = %q", got)
	}
	if got := c.T("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key gave %q", got)
	}
	if _, err := Load("xx"); err == nil {
		t.Error("unknown language loaded")
	}
}
