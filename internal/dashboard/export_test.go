package dashboard

// Where exposes the scope rule to the external tests.
var Where = where
