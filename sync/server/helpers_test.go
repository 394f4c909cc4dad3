package server_test

import (
	"fmt"

	"github.com/fieldsurvey/fieldsurvey/questionnaires"
	"github.com/fieldsurvey/fieldsurvey/survey/store"
)

func questionnairesSource(id string) ([]byte, bool) { return questionnaires.BundledSource(id) }

func storeListAll() store.ListOptions { return store.ListOptions{} }

func fmtSscan(s string, n *int) (int, error) { return fmt.Sscan(s, n) }
