package web

import (
	"bytes"
	"net/http"
)

// workplanBoard is a plan's board (亮晒比): on the page, in its print
// layout (?print=1), or as a workbook.
func (s *Server) workplanBoard(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.Workplans.Board(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("print") == "1" {
		s.render(w, r, http.StatusOK, "workplan_board_print", "workplan.board_title", b)
		return nil
	}
	s.render(w, r, http.StatusOK, "workplan_board", "workplan.board_title", b)
	return nil
}

// workplanBoardXLSX is the board as a workbook.
func (s *Server) workplanBoardXLSX(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.Workplans.Board(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := b.WriteXLSX(&buf, s.Catalog.T); err != nil {
		return err
	}
	return s.download(w, &buf, workplanXLSX, "board.xlsx", b.Plan.Name+s.Catalog.T("workplan.board_file_suffix")+".xlsx")
}
