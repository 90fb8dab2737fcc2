package projection

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/wenming-civic/wenming/internal/access"
	"github.com/wenming-civic/wenming/internal/apperr"
	"github.com/wenming-civic/wenming/internal/framework"
	"github.com/wenming-civic/wenming/internal/setting"
)

// settingWeights names the method weights in the setting table.
const settingWeights = "projection.weights"

// Weights are the points of the total (100) each method carries.
type Weights struct {
	Field   float64 `json:"field"`   // 实地考察
	Survey  float64 `json:"survey"`  // 问卷调查
	Dossier float64 `json:"dossier"` // 材料审核
}

// DefaultWeights are the national evaluation's published yearly weights:
// 材料审核 40, 实地考察 40, 问卷调查 20.
func DefaultWeights() Weights { return Weights{Field: 40, Survey: 20, Dossier: 40} }

// Of is the weight of a method.
func (w Weights) Of(m framework.Method) float64 {
	switch m {
	case framework.MethodField:
		return w.Field
	case framework.MethodSurvey:
		return w.Survey
	case framework.MethodDossier:
		return w.Dossier
	}
	return 0
}

// Text is a weight as the form shows it.
func (w Weights) Text(m framework.Method) string { return num(w.Of(m)) }

// WeightsInput is the settings form as typed.
type WeightsInput struct {
	Field, Survey, Dossier string
}

// Input is the weights as the form shows them.
func (w Weights) Input() WeightsInput {
	return WeightsInput{Field: num(w.Field), Survey: num(w.Survey), Dossier: num(w.Dossier)}
}

// MayConfigure reports whether the actor may change the method weights:
// the office and administrators. The weights are the installation's, as
// the framework is: they follow the evaluation's published rules.
func MayConfigure(a access.Actor) bool { return a.HasAny(access.RoleAdmin, access.RoleOffice) }

// parse checks the input: each weight a number from 0 to 100 with at
// most one decimal, the three summing to 100.
func (in WeightsInput) parse() (Weights, error) {
	var w Weights
	for _, f := range []struct {
		m   framework.Method
		s   string
		dst *float64
	}{{framework.MethodField, in.Field, &w.Field}, {framework.MethodSurvey, in.Survey, &w.Survey}, {framework.MethodDossier, in.Dossier, &w.Dossier}} {
		s := strings.TrimSuffix(strings.TrimSpace(f.s), "%")
		x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return w, apperr.Invalid("projection.weight_not_number." + string(f.m))
		}
		if x < 0 || x > 100 || math.Abs(x*10-math.Round(x*10)) > 1e-9 {
			return w, apperr.Invalid("projection.weight_range." + string(f.m))
		}
		*f.dst = x
	}
	if sum := w.Field + w.Survey + w.Dossier; math.Abs(sum-100) > 1e-9 {
		return w, apperr.Invalid("projection.weights_sum", num(sum))
	}
	return w, nil
}

// Weights returns the method weights in force: the office's, or the
// defaults when it set none.
func (s *Store) Weights(ctx context.Context) (Weights, error) {
	v, err := setting.Get(ctx, s.DB, settingWeights)
	if errors.Is(err, setting.ErrNotFound) {
		return DefaultWeights(), nil
	}
	if err != nil {
		return Weights{}, err
	}
	var w Weights
	if err := json.Unmarshal([]byte(v), &w); err != nil {
		return Weights{}, fmt.Errorf("projection weights %q: %w", v, err)
	}
	return w, nil
}

// SetWeights stores the method weights, checked; nothing is stored when
// they are refused.
func (s *Store) SetWeights(ctx context.Context, a access.Actor, in WeightsInput) (Weights, error) {
	if !MayConfigure(a) {
		return Weights{}, apperr.Forbidden("projection.configure_forbidden")
	}
	w, err := in.parse()
	if err != nil {
		return w, err
	}
	b, err := json.Marshal(w)
	if err != nil {
		return w, fmt.Errorf("projection weights: %w", err)
	}
	return w, setting.Put(ctx, s.DB, settingWeights, string(b))
}

// num writes a number the shortest way, at most two decimals.
func num(x float64) string {
	return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64)
}
