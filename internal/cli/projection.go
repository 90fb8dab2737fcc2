package cli

import (
	"context"
	"strconv"

	"github.com/wenming-civic/wenming/internal/server"
)

// demoProjection is the demo office's projected score (测评预估), for the
// summary the demo prints: points achieved and points without data.
func demoProjection(ctx context.Context, app *server.App) (achieved, unknown string, ok bool) {
	c, err := app.Org.FindCredentials(ctx, "office")
	if err != nil {
		return "", "", false
	}
	a, _, err := app.Org.Actor(ctx, c.UserID)
	if err != nil {
		return "", "", false
	}
	p, err := app.Projection.Project(ctx, a, "")
	if err != nil {
		return "", "", false
	}
	return strconv.FormatFloat(p.Achieved, 'f', 2, 64), strconv.FormatFloat(p.Unknown, 'f', 2, 64), true
}
