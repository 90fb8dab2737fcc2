// Package archtest holds checks on the shape of the code base itself.
package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// owners names, for every table, the one package allowed to name it in SQL.
// Everyone else asks that package through its typed API. A table created by
// a migration but missing here fails the test, so a new domain has to say
// who owns its tables.
var owners = map[string]string{
	"schema_migration": "db",
	"setting":          "setting",

	"region": "region",

	"unit":      "org",
	"app_user":  "org",
	"user_role": "org",

	"user_session":   "session",
	"login_throttle": "auth",
	"api_token":      "auth",

	"calendar_day":  "calendar",
	"calendar_year": "calendar",

	"category":     "category",
	"category_top": "category",

	"photo":      "media",
	"media_file": "media",

	"problem":                "problem",
	"problem_event":          "problem",
	"problem_photo":          "problem",
	"problem_seq":            "problem",
	"problem_tally":          "problem",
	"problem_tally_delta":    "problem",
	"problem_tally_version":  "problem",
	"problem_mark":           "problem",
	"problem_search":         "problem",
	"problem_search_pending": "problem",
	"problem_track":          "problem",
	"problem_feedback":       "problem",
	"bulletin_mark":          "problem", // the marks are life-cycle actions of the case

	"notification":   "notice",
	"outbox_message": "outbox",

	"job_lease":    "lease",
	"routing_rule": "routing",

	"site_type":                     "framework",
	"framework_version":             "framework",
	"framework_node":                "framework",
	"framework_criterion_site_type": "framework",
	"framework_criterion_category":  "framework",

	"site": "site",

	"inspection_plan":           "inspect",
	"inspection_plan_site":      "inspect",
	"inspection_plan_inspector": "inspect",
	"inspection":                "inspect",
	"inspection_result":         "inspect",

	"dossier_round":            "dossier",
	"dossier_requirement":      "dossier",
	"dossier_requirement_unit": "dossier",
	"dossier_item":             "dossier",
	"dossier_file":             "dossier",
	"dossier_event":            "dossier",
	"dossier_export":           "dossier",

	"workplan_plan":               "workplan",
	"workplan_campaign":           "workplan",
	"workplan_campaign_unit":      "workplan",
	"workplan_campaign_category":  "workplan",
	"workplan_campaign_site_type": "workplan",
	"workplan_campaign_case":      "workplan",
	"workplan_task":               "workplan",
	"workplan_task_unit":          "workplan",
	"workplan_task_criterion":     "workplan",
	"workplan_task_event":         "workplan",
	"workplan_report":             "workplan",
	"workplan_report_part":        "workplan",
	"workplan_report_photo":       "workplan",
	"workplan_report_file":        "workplan",
	"workplan_work_report":        "workplan",
	"workplan_work_report_photo":  "workplan",
	"workplan_summary":            "workplan",

	"merchant":             "merchant",
	"merchant_case":        "merchant",
	"merchant_flag_round":  "merchant",
	"merchant_flag":        "merchant",
	"merchant_flag_change": "merchant",

	"bulletin":          "bulletin",
	"bulletin_unit":     "bulletin",
	"bulletin_config":   "bulletin",
	"bulletin_schedule": "bulletin",

	"survey_questionnaire":      "survey",
	"survey_question":           "survey",
	"survey_household":          "survey",
	"survey_round":              "survey",
	"survey_round_community":    "survey",
	"survey_round_supervisor":   "survey",
	"survey_sample":             "survey",
	"survey_visit":              "survey",
	"survey_interview":          "survey",
	"survey_answer_set":         "survey",
	"survey_complaint":          "survey",
	"survey_tally":              "survey",
	"survey_tally_dim":          "survey",
	"volunteer_station":         "volunteer",
	"volunteer_team":            "volunteer",
	"volunteer":                 "volunteer",
	"volunteer_member":          "volunteer",
	"volunteer_activity_type":   "volunteer",
	"volunteer_activity":        "volunteer",
	"volunteer_signup":          "volunteer",
	"volunteer_hours":           "volunteer",
	"volunteer_star":            "volunteer",
	"volunteer_certificate":     "volunteer",
	"volunteer_publicity":       "volunteer",
	"volunteer_publicity_entry": "volunteer",
	"volunteer_objection":       "volunteer",
	"volunteer_tally":           "volunteer",
	"volunteer_tally_month":     "volunteer",
	"volunteer_report":          "volunteer",

	// Group robots and outgoing webhooks (their deliveries are the outbox's).
	"robot":                "robot",
	"webhook":              "robot",
	"selection_kind":       "selection",
	"selection_criterion":  "selection",
	"selection_round":      "selection",
	"selection_nomination": "selection",
	"selection_score":      "selection",
	"selection_review":     "selection",
	"selection_objection":  "selection",
	"holder":               "holder",
	"holder_holding":       "holder",
}

// sqlTable finds a table named after the SQL words that take one. Queries
// are written in upper case, which keeps prose in error strings ("read from
// region") out of the way.
var sqlTable = regexp.MustCompile(`\b(?:FROM|JOIN|UPDATE|INTO|TABLE|EXISTS)\s+([a-z_][a-z0-9_]*)\b`)

var createTable = regexp.MustCompile(`(?i)CREATE TABLE (?:IF NOT EXISTS )?([a-z_][a-z0-9_]*)`)

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("module root not found from %s: %v", dir, err)
	}
	return dir
}

// TestEveryTableHasAnOwner reads the migrations' CREATE TABLE statements.
func TestEveryTableHasAnOwner(t *testing.T) {
	root := moduleRoot(t)
	files, err := filepath.Glob(filepath.Join(root, "internal/db/migrations/*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	seen := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range createTable.FindAllStringSubmatch(string(b), -1) {
			seen++
			if _, ok := owners[m[1]]; !ok {
				t.Errorf("%s creates table %s, which has no owner package in archtest.owners", filepath.Base(f), m[1])
			}
		}
	}
	if seen < 30 {
		t.Fatalf("found only %d CREATE TABLE statements; is the pattern still right?", seen)
	}
}

// TestOnlyOwnersNameTheirTables parses every non-test Go file of the module
// and reports each string literal that names a table its package does not
// own. Tests may count behind the owner's back (that is how they check it);
// production code may not.
func TestOnlyOwnersNameTheirTables(t *testing.T) {
	root := moduleRoot(t)
	var violations []string
	checked := 0
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(filepath.Join(root, "internal"), path)
		pkg := strings.Split(filepath.ToSlash(rel), "/")[0]
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, m := range sqlTable.FindAllStringSubmatch(s, -1) {
				owner, known := owners[m[1]]
				if known && owner != pkg {
					violations = append(violations, fset.Position(lit.Pos()).String()[len(root)+1:]+
						": package "+pkg+" names table "+m[1]+" (owner: "+owner+")")
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("checked only %d files; is the walk still right?", checked)
	}
	sort.Strings(violations)
	for _, v := range violations {
		t.Error(v)
	}
}

// TestTheCheckSeesAViolation keeps the pattern honest: a query of another
// package's table must be caught, prose must not.
func TestTheCheckSeesAViolation(t *testing.T) {
	cases := map[string][]string{
		"SELECT p.id FROM problem p LEFT JOIN unit u ON u.id = p.unit_id": {"problem", "unit"},
		"UPDATE problem SET falsified = 1":                                {"problem"},
		"INSERT INTO notification (user_id) VALUES (?)":                   {"notification"},
		"WHERE EXISTS (SELECT 1 FROM user_role r)":                        {"user_role"},
		"read unit from region: %w":                                       nil,
	}
	for q, want := range cases {
		var got []string
		for _, m := range sqlTable.FindAllStringSubmatch(q, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%q: found %v, want %v", q, got, want)
		}
	}
}
