package conformance

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// typedChecks is a small subset of k8s.io/kubernetes/pkg/apis/*/validation (which cannot be imported
// as a module): the rules whose violations are easy to write and would fail only at apply time.
func typedChecks(obj runtime.Object) field.ErrorList {
	spec := field.NewPath("spec")
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return workload(spec, o.Spec.Selector, &o.Spec.Template)
	case *appsv1.DaemonSet:
		return workload(spec, o.Spec.Selector, &o.Spec.Template)
	case *appsv1.StatefulSet:
		return workload(spec, o.Spec.Selector, &o.Spec.Template)
	case *batchv1.Job:
		return podSpec(spec.Child("template", "spec"), &o.Spec.Template.Spec)
	case *corev1.Pod:
		return podSpec(spec, &o.Spec)
	case *corev1.Service:
		return servicePorts(spec.Child("ports"), o.Spec.Ports)
	case *corev1.ConfigMap:
		var errs field.ErrorList
		for k := range o.Data {
			for _, msg := range utilvalidation.IsConfigMapKey(k) {
				errs = append(errs, field.Invalid(field.NewPath("data").Key(k), k, msg))
			}
		}
		return errs
	}
	return nil
}

// workload: the selector is required, immutable and must select the template's own labels.
func workload(spec *field.Path, sel *metav1.LabelSelector, tmpl *corev1.PodTemplateSpec) field.ErrorList {
	var errs field.ErrorList
	if sel == nil {
		errs = append(errs, field.Required(spec.Child("selector"), ""))
	} else if s, err := metav1.LabelSelectorAsSelector(sel); err != nil {
		errs = append(errs, field.Invalid(spec.Child("selector"), sel, err.Error()))
	} else if s.Empty() {
		errs = append(errs, field.Invalid(spec.Child("selector"), sel, "empty selector is invalid for a workload"))
	} else if !s.Matches(labels.Set(tmpl.Labels)) {
		errs = append(errs, field.Invalid(spec.Child("template", "metadata", "labels"), tmpl.Labels, "`selector` does not match template `labels`"))
	}
	return append(errs, podSpec(spec.Child("template", "spec"), &tmpl.Spec)...)
}

func podSpec(p *field.Path, s *corev1.PodSpec) field.ErrorList {
	var errs field.ErrorList
	if len(s.Containers) == 0 {
		errs = append(errs, field.Required(p.Child("containers"), ""))
	}
	names := map[string]bool{}
	check := func(cp *field.Path, c *corev1.Container) {
		for _, msg := range utilvalidation.IsDNS1123Label(c.Name) {
			errs = append(errs, field.Invalid(cp.Child("name"), c.Name, msg))
		}
		if names[c.Name] {
			errs = append(errs, field.Duplicate(cp.Child("name"), c.Name))
		}
		names[c.Name] = true
		if c.Image == "" {
			errs = append(errs, field.Required(cp.Child("image"), ""))
		}
		for i, port := range c.Ports {
			pp := cp.Child("ports").Index(i)
			if port.Name != "" {
				for _, msg := range utilvalidation.IsValidPortName(port.Name) {
					errs = append(errs, field.Invalid(pp.Child("name"), port.Name, msg))
				}
			}
			for _, msg := range utilvalidation.IsValidPortNum(int(port.ContainerPort)) {
				errs = append(errs, field.Invalid(pp.Child("containerPort"), port.ContainerPort, msg))
			}
		}
		for i, env := range c.Env {
			for _, msg := range utilvalidation.IsEnvVarName(env.Name) {
				errs = append(errs, field.Invalid(cp.Child("env").Index(i).Child("name"), env.Name, msg))
			}
		}
	}
	for i := range s.InitContainers {
		check(p.Child("initContainers").Index(i), &s.InitContainers[i])
	}
	for i := range s.Containers {
		check(p.Child("containers").Index(i), &s.Containers[i])
	}
	return errs
}

func servicePorts(p *field.Path, ports []corev1.ServicePort) field.ErrorList {
	var errs field.ErrorList
	names := map[string]bool{}
	for i, port := range ports {
		pp := p.Index(i)
		if len(ports) > 1 && port.Name == "" {
			errs = append(errs, field.Required(pp.Child("name"), "a Service with several ports must name each"))
		}
		if port.Name != "" {
			for _, msg := range utilvalidation.IsDNS1123Label(port.Name) {
				errs = append(errs, field.Invalid(pp.Child("name"), port.Name, msg))
			}
			if names[port.Name] {
				errs = append(errs, field.Duplicate(pp.Child("name"), port.Name))
			}
			names[port.Name] = true
		}
		for _, msg := range utilvalidation.IsValidPortNum(int(port.Port)) {
			errs = append(errs, field.Invalid(pp.Child("port"), port.Port, msg))
		}
		if port.TargetPort.Type == intstr.String { // a named container port
			for _, msg := range utilvalidation.IsValidPortName(port.TargetPort.StrVal) {
				errs = append(errs, field.Invalid(pp.Child("targetPort"), port.TargetPort.StrVal, msg))
			}
		}
	}
	return errs
}
