package simcluster

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// kwokNodeAnnotation marks the nodes kwok manages (its --manage-nodes-with-annotation-selector).
const kwokNodeAnnotation = "kwok.x-k8s.io/node"

// NotReadyTaint is what the apiserver's TaintNodesByCondition admission plugin puts on every new node. A real
// cluster's node-lifecycle controller removes it once the kubelet reports Ready; that controller would also evict
// pods from a node it cannot reach, so the simulated cluster leaves it out and removes the taint itself.
const NotReadyTaint = "node.kubernetes.io/not-ready"

func (c *Cluster) addNode(ctx context.Context, opts Options) error {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{
		Name:        NodeName,
		Annotations: map[string]string{kwokNodeAnnotation: "fake"},
		Labels: map[string]string{
			"kubernetes.io/hostname": NodeName, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
			"type": "kwok",
		},
	}}
	if _, err := c.Client.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating node %s: %w", NodeName, err)
	}
	if !opts.NoKwok {
		if err := c.waitNodeReady(ctx); err != nil {
			return err
		}
	}
	if opts.KeepNotReadyTaint {
		return nil
	}
	return c.removeNotReadyTaint(ctx)
}

func (c *Cluster) waitNodeReady(ctx context.Context) error {
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		n, err := c.Client.CoreV1().Nodes().Get(ctx, NodeName, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("node %s never became Ready (is kwok managing it?): %w", NodeName, err)
	}
	return nil
}

// removeNotReadyTaint retries on conflicts, since kwok updates the node's status at the same time.
func (c *Cluster) removeNotReadyTaint(ctx context.Context) error {
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		n, err := c.Client.CoreV1().Nodes().Get(ctx, NodeName, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		var kept []corev1.Taint
		for _, taint := range n.Spec.Taints {
			if taint.Key != NotReadyTaint {
				kept = append(kept, taint)
			}
		}
		if len(kept) == len(n.Spec.Taints) {
			return true, nil
		}
		n.Spec.Taints = kept
		_, err = c.Client.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{})
		if apierrors.IsConflict(err) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return fmt.Errorf("removing the %s taint from %s: %w", NotReadyTaint, NodeName, err)
	}
	return nil
}

// waitDefaultServiceAccount waits for the serviceaccount controller's "default" account: until it exists the
// ServiceAccount admission plugin rejects pods in the namespace.
func (c *Cluster) waitDefaultServiceAccount(ctx context.Context) error {
	err := wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		_, err := c.Client.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return fmt.Errorf("the serviceaccount controller made no default ServiceAccount: %w", err)
	}
	return nil
}
