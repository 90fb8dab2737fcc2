// Package web serves the server-rendered zh-CN pages. It owns HTTP only:
// every decision about who may see or change what is made by the domain
// packages, which take the actor and answer apperr.Forbidden themselves.
//
// Where things are:
//
//   - routes.go lists every page route, the one table to read first;
//   - middleware.go is the chain every page passes through, in the order it
//     applies (session, CSRF, forced password change, rate limit);
//   - server.go holds the dependencies (Deps) and New; render.go the
//     templates (templates/), the navigation and the template functions;
//     assets.go the fingerprinted static files (static/);
//   - request.go reads paths, pages and form fields; response.go redirects,
//     flashes, error pages and refused, the one way a form is shown again
//     with the reason the domain refused its input;
//   - one file per page action, named domain_action.go: e.g.
//     category_create.go (the new form and its submission),
//     routing_rule_update.go, calendar_year_upload.go. A form shared by
//     create and update lives in domain_form.go with its typed form (a
//     xxxForm struct and parseXxxForm beside it).
//
// The domains, by file prefix: auth_ and home_ (sign-in, password, home),
// region_ and grid_, unit_, user_, token_ and sms_ (administration),
// ledger_, case_, report_, photo_, notification_ and public_ (the ledger
// and the citizens' form), settings_, category_, calendar_ and routing_
// (the configuration), framework_, site_, inspection_, bulletin_ and
// dashboard_.
//
// The HTTP tests of the pages are beside them (*_test.go), on the shared
// harness internal/server/servertest.
package web
