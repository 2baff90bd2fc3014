package kgateway

import (
	"errors"
	"fmt"
	"regexp"
	"time"
)

// durationPattern is the pattern kgateway's CRDs put on every duration field.
var durationPattern = regexp.MustCompile(`^([0-9]{1,5}(h|m|s|ms)){1,4}$`)

// validate rejects what the API server or kgateway would reject later, so a preview fails instead of an update.
func (a *Args) validate() error {
	var errs []error
	for field, v := range map[string]string{
		"Namespace": a.Namespace, "GatewayName": a.GatewayName, "Hostname": a.Hostname,
		"ServiceEntryName": a.ServiceEntryName, "Authz.Name": a.Authz.Name, "Authz.Namespace": a.Authz.Namespace,
	} {
		if v == "" {
			errs = append(errs, fmt.Errorf("%s is required", field))
		}
	}
	for field, p := range map[string]int{"Port": a.Port, "BackendPort": a.BackendPort, "Authz.Port": a.Authz.Port} {
		if p < 1 || p > 65535 {
			errs = append(errs, fmt.Errorf("%s %d is not a port", field, p))
		}
	}
	errs = append(errs, a.Retry.validate()...)
	return errors.Join(errs...)
}

func (r RetryPolicy) validate() []error {
	var errs []error
	if r.Attempts < 0 {
		errs = append(errs, fmt.Errorf("Retry.Attempts %d is negative", r.Attempts))
	}
	for _, code := range r.StatusCodes {
		// The TrafficPolicy CRD bounds statusCodes to 400..599.
		if code < 400 || code > 599 {
			errs = append(errs, fmt.Errorf("Retry.StatusCodes: %d is not in 400..599", code))
		}
	}
	perTry, err1 := optionalDuration("Retry.PerTryTimeout", r.PerTryTimeout)
	request, err2 := optionalDuration("Retry.RequestTimeout", r.RequestTimeout)
	errs = append(errs, err1, err2)
	// A CEL rule on the TrafficPolicy: each try must be shorter than the whole request.
	if err1 == nil && err2 == nil && perTry > 0 && request > 0 && perTry >= request {
		errs = append(errs, fmt.Errorf("Retry.PerTryTimeout %s must be shorter than RequestTimeout %s",
			r.PerTryTimeout, r.RequestTimeout))
	}
	return errs
}

func optionalDuration(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err == nil && !durationPattern.MatchString(s) {
		err = fmt.Errorf("%q is not a Gateway API duration like 10s or 1m30s", s)
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", field, err)
	}
	if d < time.Millisecond {
		return 0, fmt.Errorf("%s %s: must be at least 1ms", field, s)
	}
	return d, nil
}
