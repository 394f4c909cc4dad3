package server_test

import "github.com/fieldsurvey/fieldsurvey/questionnaires"

func questionnairesSource(id string) ([]byte, bool) { return questionnaires.BundledSource(id) }
