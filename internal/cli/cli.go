// Package cli implements the verbs of the wenming command.
package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/config"
	"github.com/wenming-civic/wenming/internal/db"
	"github.com/wenming-civic/wenming/internal/demo"
	"github.com/wenming-civic/wenming/internal/i18n"
	"github.com/wenming-civic/wenming/internal/org"
	"github.com/wenming-civic/wenming/internal/password"
	"github.com/wenming-civic/wenming/internal/region"
	"github.com/wenming-civic/wenming/internal/server"
)

// Version is set at build time with -ldflags "-X …/cli.Version=v1.2.3".
var Version = ""

// Env is the process's outside world, passed in so tests can drive verbs.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, if set, is told the address once serve or demo listens.
	Ready func(addr string)
	// T looks texts up in the message catalogue; Run fills it in.
	T func(key string, args ...any) string
}

type verb struct {
	name, summary, usage string
	run                  func(ctx context.Context, env Env, cfg config.Config, fs *flag.FlagSet) error
	flags                func(fs *flag.FlagSet, t func(string, ...any) string)
}

func verbs() []verb {
	return []verb{
		{name: "serve", summary: "cli.verb.serve", usage: "wenming serve [flags]", run: runServe},
		{name: "demo", summary: "cli.verb.demo", usage: "wenming demo [flags]", run: runDemo},
		{name: "migrate", summary: "cli.verb.migrate", usage: "wenming migrate [flags]", run: runMigrate},
		{name: "import regions", summary: "cli.verb.import_regions", usage: "wenming import regions [flags] FILE...", run: runImportRegions},
		{name: "user add", summary: "cli.verb.user_add",
			usage: "wenming user add -username NAME -name NAME -unit UNITCODE -roles office,handler [-phone 138…] [-password-stdin]",
			run:   runUserAdd, flags: userAddFlags},
		{name: "user passwd", summary: "cli.verb.user_passwd",
			usage: "wenming user passwd [-generate] USERNAME", run: runUserPasswd, flags: userPasswdFlags},
		{name: "tally rebuild", summary: "cli.verb.tally_rebuild", usage: "wenming tally rebuild [flags]", run: runTallyRebuild},
		{name: "backup", summary: "cli.verb.backup", usage: "wenming backup [flags] FILE", run: runBackup},
		{name: "restore", summary: "cli.verb.restore", usage: "wenming restore [flags] FILE", run: runRestore},
		{name: "config", summary: "cli.verb.config", usage: "wenming config [flags]", run: runConfig},
		{name: "version", summary: "cli.verb.version", usage: "wenming version", run: runVersion},
	}
}

// Run executes one verb and returns the process exit code.
func Run(ctx context.Context, args []string, env Env) int {
	cat := i18n.MustLoad("zh-CN")
	if env.T == nil {
		env.T = cat.T
	}
	t := env.T
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return Run(ctx, append(append([]string{}, args[1:]...), "-h"), env)
		}
		usage(env.Stdout, t)
		return 0
	}
	var v *verb
	rest := args
	for _, cand := range verbs() {
		words := strings.Fields(cand.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == cand.name {
			v, rest = &cand, args[len(words):]
			break
		}
	}
	if v == nil {
		fmt.Fprintf(env.Stderr, "wenming: %s\n\n", t("cli.unknown_verb", strings.Join(args, " ")))
		usage(env.Stderr, t)
		return 2
	}
	fs := flag.NewFlagSet("wenming "+v.name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	cfg := config.Defaults()
	envErr := cfg.Bind(fs, env.Getenv, t)
	if v.flags != nil {
		v.flags(fs, t)
	}
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), t("cli.verb_usage", t(v.summary), v.usage))
		fs.PrintDefaults()
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if envErr != nil {
		fmt.Fprintf(env.Stderr, "wenming: %s\n%v\n", t("cli.bad_env"), envErr)
		return 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(env.Stderr, "wenming: %s\n%v\n", t("cli.bad_config"), err)
		return 2
	}
	if err := v.run(ctx, env, cfg, fs); err != nil {
		fmt.Fprintf(env.Stderr, "wenming %s: %s\n", v.name, describe(err, cat))
		return 1
	}
	return 0
}

// describe renders an error for a person at a terminal, in Chinese where
// the catalogue has the message.
func describe(err error, cat *i18n.Catalog) string {
	var ie *region.ImportError
	if errors.As(err, &ie) {
		return "\n" + strings.Join(ie.Messages(cat.T), "\n")
	}
	var e *apperr.Error
	if errors.As(err, &e) && cat.Has(e.Code) {
		return cat.T(e.Code, e.Args...)
	}
	return err.Error()
}

func usage(w io.Writer, t func(string, ...any) string) {
	fmt.Fprint(w, t("cli.usage_head"))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, v := range verbs() {
		fmt.Fprintf(tw, "  %s\t%s\n", v.name, t(v.summary))
	}
	fmt.Fprintf(tw, "  help\t%s\n", t("cli.verb.help"))
	tw.Flush()
	fmt.Fprint(w, t("cli.usage_tail"))
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel)) //nolint:errcheck // validated already
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func openDB(ctx context.Context, cfg config.Config) (*db.DB, error) {
	opts := db.Options{SQLitePath: cfg.SQLitePath(), Readers: cfg.SQLiteReaders}
	if cfg.IsPostgres() {
		opts.PostgresURL = cfg.DatabaseURL
	}
	d, err := db.Open(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", config.Redact(cfg.DatabaseURL), err)
	}
	return d, nil
}

func openMigrated(ctx context.Context, cfg config.Config, log *slog.Logger) (*db.DB, error) {
	d, err := openDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	rep, err := d.Migrate(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	for _, m := range rep.Applied {
		log.Info("migration applied", "version", m.Version, "name", m.Name)
	}
	return d, nil
}

// openApp opens and migrates the database and builds the application on
// it; the caller closes app.DB.
func openApp(ctx context.Context, env Env, cfg config.Config) (*server.App, error) {
	log := newLogger(cfg, env.Stderr)
	d, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	app, err := server.New(ctx, cfg, d, log)
	if err != nil {
		d.Close()
		return nil, err
	}
	return app, nil
}

func runServe(ctx context.Context, env Env, cfg config.Config, fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return apperr.Invalid("cli.extra_args", strings.Join(fs.Args(), " "))
	}
	app, err := openApp(ctx, env, cfg)
	if err != nil {
		return err
	}
	defer app.DB.Close()
	return app.Serve(ctx, env.Ready)
}

func runDemo(ctx context.Context, env Env, cfg config.Config, fs *flag.FlagSet) error {
	t := env.T
	if cfg.IsPostgres() {
		return apperr.Invalid("cli.demo_sqlite_only")
	}
	if cfg.DataKey == "" {
		key, err := demoDataKey(cfg.DataDir)
		if err != nil {
			return err
		}
		cfg.DataKey = key
	}
	app, err := openApp(ctx, env, cfg)
	if err != nil {
		return err
	}
	defer app.DB.Close()
	rep, err := demo.Load(ctx, app.Regions, app.Org)
	if err != nil {
		return err
	}
	caseDeps := demo.CaseDeps{DB: app.DB, Problems: app.Problems, Media: app.Media, Categories: app.Categories, Org: app.Org, Regions: app.Regions}
	cases, err := demo.LoadCases(ctx, caseDeps, time.Now(), 400, 120)
	if err != nil {
		return err
	}
	sites, rounds, err := demo.LoadInspections(ctx, demo.InspectDeps{CaseDeps: caseDeps, Sites: app.Sites, Inspect: app.Inspect}, time.Now())
	if err != nil {
		return err
	}
	plan, err := demo.LoadWorkplan(ctx, demo.WorkplanDeps{CaseDeps: caseDeps, Workplans: app.Workplans}, time.Now())
	if err != nil {
		return err
	}
	households, surveyRounds, err := demo.LoadSurveys(ctx, demo.SurveyDeps{Surveys: app.Surveys, Org: app.Org, Regions: app.Regions}, time.Now())
	if err != nil {
		return err
	}
	vols, err := demo.LoadVolunteers(ctx, demo.VolunteerDeps{Volunteers: app.Volunteers, Org: app.Org, Regions: app.Regions}, time.Now())
	if err != nil {
		return err
	}
	robots, err := demo.LoadRobots(ctx, demo.RobotDeps{Robots: app.Robots, DB: app.DB})
	if err != nil {
		return err
	}
	dossiers, err := demo.LoadDossier(ctx, demo.DossierDeps{Dossiers: app.Dossiers, Files: app.Files, Org: app.Org}, time.Now())
	if err != nil {
		return err
	}
	picks, err := demo.LoadSelections(ctx, demo.SelectionDeps{Selections: app.Selections, Holders: app.Holders, Org: app.Org, Regions: app.Regions,
		Sites: app.Sites}, time.Now())
	if err != nil {
		return err
	}
	shops, err := demo.LoadMerchants(ctx, demo.MerchantDeps{CaseDeps: caseDeps, Merchants: app.Merchants, Sites: app.Sites}, time.Now())
	if err != nil {
		return err
	}
	w := env.Stdout
	fmt.Fprintln(w, t("cli.demo_loaded", demo.District, cfg.SQLitePath()))
	fmt.Fprintln(w, t("cli.demo_counts",
		rep.Regions.Inserted, rep.Regions.Updated, rep.Regions.Unchanged, rep.Units, rep.Users))
	if cases > 0 {
		fmt.Fprintln(w, t("cli.demo_cases", cases))
	}
	if sites+rounds > 0 {
		fmt.Fprintln(w, t("cli.demo_sites", sites, rounds))
	}
	if plan.Tasks > 0 {
		fmt.Fprintln(w, t("cli.demo_workplan", plan.Tasks, plan.Reports, plan.Campaigns, plan.WorkReports, plan.Summaries))
	}
	if households+surveyRounds > 0 {
		fmt.Fprintln(w, t("cli.demo_surveys", households, surveyRounds))
	}
	if vols.Volunteers > 0 {
		fmt.Fprintln(w, t("cli.demo_volunteers", vols.Stations, vols.Teams, vols.Volunteers, vols.Activities))
	}
	if achieved, unknown, ok := demoProjection(ctx, app); ok {
		fmt.Fprintln(w, t("cli.demo_projection", achieved, unknown))
	}
	if robots > 0 {
		fmt.Fprintln(w, t("cli.demo_robots", robots))
	}
	if dossiers.Items > 0 {
		fmt.Fprintln(w, t("cli.demo_dossier", dossiers.Requirements, dossiers.Items, dossiers.Files))
	}
	if picks.Rounds > 0 {
		fmt.Fprintln(w, t("cli.demo_selections", picks.Rounds, picks.Nominations, picks.Awarded, picks.Holders))
	}
	if shops.Merchants > 0 {
		fmt.Fprintln(w, t("cli.demo_merchants", shops.Merchants, shops.Signed, shops.Linked, shops.Rounds))
	}
	fmt.Fprintln(w, t("cli.demo_accounts"))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, a := range rep.Accounts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", t("role."+string(a.Role)), a.Username, a.Password, a.Unit)
	}
	tw.Flush()
	ready := env.Ready
	return app.Serve(ctx, func(addr string) {
		fmt.Fprintf(w, "\n%s\n", t("cli.demo_open", addr))
		if ready != nil {
			ready(addr)
		}
	})
}

func runMigrate(ctx context.Context, env Env, cfg config.Config, fs *flag.FlagSet) error {
	t := env.T
	d, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	rep, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	for _, m := range rep.Applied {
		fmt.Fprintln(env.Stdout, t("cli.migration_applied", m.Version, m.Name))
	}
	fmt.Fprintln(env.Stdout, t("cli.migrated", d.Dialect().String(), rep.Current))
	return nil
}

// runTallyRebuild counts the ledger's tally, and indexes the cases for
// text search, again from the cases, for
// when rows were changed around the application (a manual fix, a restore
// of part of a table). Changes wait while it runs.
func runTallyRebuild(ctx context.Context, env Env, cfg config.Config, fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return apperr.Invalid("cli.extra_args", strings.Join(fs.Args(), " "))
	}
	app, err := openApp(ctx, env, cfg)
	if err != nil {
		return err
	}
	defer app.DB.Close()
	began := time.Now()
	if err := app.Problems.RebuildTally(ctx); err != nil {
		return err
	}
	// The text search index is built from the same rows.
	if err := app.Problems.RebuildSearch(ctx); err != nil {
		return err
	}
	cases, rows, err := app.Problems.TallySize(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, env.T("cli.tally_rebuilt", cases, rows, time.Since(began).Round(time.Millisecond).String()))
	// The volunteers' totals, tallies and star levels follow their ledger.
	began = time.Now()
	n, err := app.Volunteers.Recompute(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, env.T("cli.volunteer_tally_rebuilt", n, time.Since(began).Round(time.Millisecond).String()))
	return nil
}

func runImportRegions(ctx context.Context, env Env, cfg config.Config, fs *flag.FlagSet) error {
	t := env.T
	if fs.NArg() == 0 {
		return apperr.Invalid("cli.import_no_files")
	}
	log := newLogger(cfg, env.Stderr)
	d, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	var sources []region.Source
	for _, p := range fs.Args() {
		if _, err := os.Stat(p); err != nil {
			return &apperr.Error{Kind: apperr.KindInvalid, Code: "cli.unreadable_file", Args: []any{p}, Err: err}
		}
		sources = append(sources, region.FileSource(p))
	}
	start := time.Now()
	last := time.Time{}
	store := &region.Store{DB: d, Progress: func(stage string, done, total int) {
		if time.Since(last) < time.Second && done != total {
			return
		}
		last = time.Now()
		fmt.Fprintf(env.Stderr, "  %s：%d / %d\n", t(stage), done, total)
	}}
	rep, err := store.Import(ctx, sources)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, t("cli.import_done",
		rep.Files, rep.Read, rep.Inserted, rep.Updated, rep.Unchanged, time.Since(start).Round(time.Millisecond).String()))
	return nil
}

type userAddOptions struct {
	username, name, unit, roles, phone string
	passwordStdin                      bool
}

// userAddFlags and userPasswdFlags register the verbs' own flags; the
// values are read back with fs.Lookup in the run functions.
func userAddFlags(fs *flag.FlagSet, t func(string, ...any) string) {
	fs.String("username", "", t("cli.flag.username"))
	fs.String("name", "", t("cli.flag.name"))
	fs.String("unit", "", t("cli.flag.unit"))
	fs.String("roles", "", t("cli.flag.roles", rolesList()))
	fs.String("phone", "", t("cli.flag.phone"))
	fs.Bool("password-stdin", false, t("cli.flag.password_stdin"))
}

func rolesList() string {
	var rs []string
	for _, r := range access.AllRoles() {
		rs = append(rs, string(r))
	}
	return strings.Join(rs, ",")
}

func flagString(fs *flag.FlagSet, name string) string { return fs.Lookup(name).Value.String() }

func runUserAdd(ctx context.Context, env Env, cfg config.Config, fs *flag.FlagSet) error {
	t := env.T
	o := userAddOptions{
		username: flagString(fs, "username"), name: flagString(fs, "name"), unit: flagString(fs, "unit"),
		roles: flagString(fs, "roles"), phone: flagString(fs, "phone"), passwordStdin: flagString(fs, "password-stdin") == "true",
	}
	if o.username == "" || o.name == "" || o.unit == "" || o.roles == "" {
		return apperr.Invalid("cli.user_add_args")
	}
	log := newLogger(cfg, env.Stderr)
	d, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	store := org.New(d)
	sys := access.System()
	units, _, err := store.ListUnits(ctx, sys, org.UnitFilter{Query: o.unit, Limit: 100})
	if err != nil {
		return err
	}
	var unitID int64
	for _, u := range units {
		if u.Code == o.unit {
			unitID = u.ID
		}
	}
	if unitID == 0 {
		return apperr.Invalid("cli.unknown_unit", o.unit)
	}
	in := org.UserInput{Username: o.username, DisplayName: o.name, UnitID: unitID, Phone: o.phone}
	for _, r := range strings.Split(o.roles, ",") {
		in.Roles = append(in.Roles, access.Role(strings.TrimSpace(r)))
	}
	if o.passwordStdin {
		if in.Password, err = readLine(env.Stdin); err != nil {
			return err
		}
	}
	u, generated, err := store.CreateUser(ctx, sys, in)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, t("cli.user_created", u.Username, u.ID))
	if generated != "" {
		fmt.Fprintln(env.Stdout, t("cli.first_password", generated))
	}
	return nil
}

func userPasswdFlags(fs *flag.FlagSet, t func(string, ...any) string) {
	fs.Bool("generate", false, t("cli.flag.generate"))
}

func runUserPasswd(ctx context.Context, env Env, cfg config.Config, fs *flag.FlagSet) error {
	t := env.T
	if fs.NArg() != 1 {
		return apperr.Invalid("cli.passwd_args")
	}
	generate := flagString(fs, "generate") == "true"
	var pw string
	var err error
	if generate {
		if pw, err = password.Generate(); err != nil {
			return err
		}
	} else if pw, err = readLine(env.Stdin); err != nil {
		return err
	}
	log := newLogger(cfg, env.Stderr)
	d, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := org.New(d).SetPasswordByName(ctx, fs.Arg(0), pw, generate); err != nil {
		return err
	}
	if generate {
		fmt.Fprintln(env.Stdout, t("cli.new_password", pw))
	} else {
		fmt.Fprintln(env.Stdout, t("cli.password_set"))
	}
	return nil
}

// readLine reads one line (a password) from standard input.
func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", apperr.Invalid("cli.no_password_on_stdin")
	}
	return line, nil
}

func runConfig(_ context.Context, env Env, cfg config.Config, _ *flag.FlagSet) error {
	cfg.Print(env.Stdout)
	return nil
}

func runVersion(_ context.Context, env Env, _ config.Config, _ *flag.FlagSet) error {
	fmt.Fprintf(env.Stdout, "wenming %s\n", versionString())
	return nil
}

// versionString is the build's version, "dev" when none was stamped.
func versionString() string {
	v := Version
	if v == "" {
		v = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	return v
}
