package cli

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type result struct {
	code           int
	stdout, stderr string
}

// run executes a verb with a private data directory and environment.
func run(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, Env{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return env[k] },
	})
	return result{code, out.String(), errOut.String()}
}

func dataEnv(t *testing.T) map[string]string {
	return map[string]string{"WENMING_DATA_DIR": t.TempDir(), "WENMING_LOG_LEVEL": "warn"}
}

func TestHelpAndUnknownVerb(t *testing.T) {
	r := run(t, nil, "", "help")
	for _, v := range []string{"serve", "demo", "migrate", "import regions", "user add", "user passwd", "version", "config"} {
		if !strings.Contains(r.stdout, v) {
			t.Errorf("help lacks %s", v)
		}
	}
	r = run(t, nil, "", "serve", "-h")
	if r.code != 0 || !strings.Contains(r.stderr, "WENMING_ADDR") || !strings.Contains(r.stderr, "用法") {
		t.Errorf("serve -h: %d %s", r.code, r.stderr)
	}
	if r := run(t, nil, "", "help", "user", "add"); r.code != 0 || !strings.Contains(r.stderr, "-username") {
		t.Errorf("help user add: %d %s", r.code, r.stderr)
	}
	if r := run(t, nil, "", "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, "未知命令") {
		t.Errorf("unknown verb: %d %s", r.code, r.stderr)
	}
	if r := run(t, nil, "", "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "wenming ") {
		t.Errorf("version: %d %q", r.code, r.stdout)
	}
}

func TestConfigPrintsAndRedacts(t *testing.T) {
	env := map[string]string{"WENMING_DATABASE_URL": "postgres://wm:s3cret-pass@db.internal:5432/wenming", "WENMING_ADDR": ":9000",
		"WENMING_SMS_URL": "https://sms.example.test/send", "WENMING_SMS_TOKEN": "sms-token-value"}
	r := run(t, env, "", "config", "-log-format", "json")
	if r.code != 0 {
		t.Fatalf("config: %d %s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout, "s3cret-pass") || strings.Contains(r.stdout, "sms-token-value") || !strings.Contains(r.stdout, "xxxxx") ||
		!strings.Contains(r.stdout, "https://sms.example.test/send") {
		t.Errorf("secret not redacted:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, ":9000") || !strings.Contains(r.stdout, "json") {
		t.Errorf("env or flag not applied:\n%s", r.stdout)
	}
	r = run(t, map[string]string{"WENMING_LOG_FORMAT": "xml", "WENMING_SESSION_TTL": "soon"}, "", "config")
	if r.code != 2 || !strings.Contains(r.stderr, "WENMING_SESSION_TTL") {
		t.Errorf("bad env: %d %s", r.code, r.stderr)
	}
	r = run(t, map[string]string{"WENMING_LOG_FORMAT": "xml"}, "", "config")
	if r.code != 2 || !strings.Contains(r.stderr, "log-format") {
		t.Errorf("invalid config: %d %s", r.code, r.stderr)
	}
	r = run(t, map[string]string{"WENMING_SMS_URL": "ftp://sms"}, "", "config")
	if r.code != 2 || !strings.Contains(r.stderr, "sms-url") {
		t.Errorf("invalid sms url: %d %s", r.code, r.stderr)
	}
}

func TestImportRegions(t *testing.T) {
	env := dataEnv(t)
	files := []string{"provinces.csv", "cities.csv", "areas.csv", "streets.csv", "communities.csv.gz"}
	var args []string
	for _, f := range files {
		args = append(args, filepath.Join("..", "region", "testdata", f))
	}
	r := run(t, env, "", append([]string{"import", "regions"}, args...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "导入完成") {
		t.Fatalf("import: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, env, "", append([]string{"import", "regions"}, args...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "新增 0，更新 0") {
		t.Fatalf("second import changed something: %s", r.stdout)
	}

	bad := filepath.Join(t.TempDir(), "streets.csv")
	os.WriteFile(bad, []byte("code,name,areaCode,provinceCode,cityCode\n410499001,\"无名街道\",410499,41,4104\n"), 0o644)
	r = run(t, env, "", "import", "regions", bad)
	if r.code != 1 || !strings.Contains(r.stderr, "第 2 行") || !strings.Contains(r.stderr, "410499") {
		t.Errorf("unknown parent: %d %s", r.code, r.stderr)
	}
	if r := run(t, env, "", "import", "regions"); r.code != 1 {
		t.Errorf("no files: %d", r.code)
	}
	if r := run(t, env, "", "import", "regions", "/no/such/file.csv"); r.code != 1 || !strings.Contains(r.stderr, "无法读取") {
		t.Errorf("missing file: %d %s", r.code, r.stderr)
	}
}

func TestMigrateUserAddAndPasswd(t *testing.T) {
	env := dataEnv(t)
	if r := run(t, env, "", "migrate"); r.code != 0 || !strings.Contains(r.stdout, "已是最新") {
		t.Fatalf("migrate: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, env, "", "user", "add", "-username", "ops", "-name", "运维", "-unit", "nope", "-roles", "admin"); r.code != 1 || !strings.Contains(r.stderr, "没有编码为") {
		t.Fatalf("unknown unit: %d %s", r.code, r.stderr)
	}
	// A unit comes from the demo data in real use; here a bare one will do.
	seedUnit(t, env)
	r := run(t, env, "", "user", "add", "-username", "ops", "-name", "运维", "-unit", "hq", "-roles", "admin")
	if r.code != 0 || !strings.Contains(r.stdout, "初始密码") {
		t.Fatalf("user add: %d %s %s", r.code, r.stdout, r.stderr)
	}
	r = run(t, env, "short\n", "user", "passwd", "ops")
	if r.code != 1 || !strings.Contains(r.stderr, "密码至少 8 位") {
		t.Fatalf("weak password: %d %s", r.code, r.stderr)
	}
	if r := run(t, env, "long-enough-9\n", "user", "passwd", "ops"); r.code != 0 {
		t.Fatalf("passwd: %d %s", r.code, r.stderr)
	}
	if r := run(t, env, "", "user", "passwd", "-generate", "ghost"); r.code != 1 || !strings.Contains(r.stderr, "找不到该用户") {
		t.Fatalf("unknown user: %d %s", r.code, r.stderr)
	}
	if r := run(t, env, "", "tally", "rebuild"); r.code != 0 || !strings.Contains(r.stdout, "台账统计与检索索引已重新计算：0 件案件，0 行统计") {
		t.Fatalf("tally rebuild: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, env, "", "tally", "rebuild", "extra"); r.code != 1 {
		t.Fatalf("tally rebuild with an argument: %d %s", r.code, r.stderr)
	}
}

func TestServeShutsDownGracefully(t *testing.T) {
	env := dataEnv(t)
	env["WENMING_ADDR"] = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrs := make(chan string, 1)
	done := make(chan int, 1)
	var out, errOut bytes.Buffer
	go func() {
		done <- Run(ctx, []string{"serve"}, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string { return env[k] }, Ready: func(a string) { addrs <- a }})
	}()
	var addr string
	select {
	case addr = <-addrs:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errOut.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	res, err := http.Get("http://" + addr + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", res, err)
	}
	res.Body.Close()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}
