use super::prelude::*;
use crate::cost::{estimate_facts, prices::Prices};

rule! {
    /// ## What it checks
    /// A stack whose estimated monthly cost (on-demand list prices from `stdlib/prices`, see
    /// `strata cost`) exceeds the `budget` it declares.
    ///
    /// ## Why it matters
    /// The budget is the team's agreement on what the stack may cost. Catching the overrun in
    /// review — before the bill — is what makes the budget mean anything. Checkov does not
    /// price; Infracost prices but does not fail on the architecture's own budget.
    ///
    /// ## Example
    /// ```strata
    /// stack shop {
    ///   provider = aws { region = "us-east-1" }
    ///   budget   = 100 USD/month
    /// }
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.r6g.xlarge" }   // ≈ $330/month
    /// ```
    ///
    /// ## Fix
    /// Pick smaller classes or fewer replicas (the diagnostic lists the largest items), or raise
    /// the budget if the cost is intended:
    /// ```strata
    /// stack shop {
    ///   provider = aws { region = "us-east-1" }
    ///   budget   = 400 USD/month
    /// }
    /// resource db: aws.rds.DBInstance { engine_version = "16", instance_class = "db.r6g.xlarge" }
    /// ```
    pub static RULE = {
        code: "COST001",
        name: "budget-exceeded",
        category: Cost,
        severity: Error,
        applies: Applies::All,
        check: Check::Model(check),
    }
}

fn check(cx: &Cx<'_>, out: &mut Sink<'_>) {
    if cx.model.stacks.iter().all(|s| s.budget.is_none()) {
        return;
    }
    let report = estimate_facts(cx.model, cx.facts, cx.usage, Prices::stdlib());
    for s in &cx.model.stacks {
        let Some(budget) = s.budget else { continue };
        let total = report.stacks.get(&s.name).copied().unwrap_or(0.0);
        if total <= budget + 0.005 {
            continue;
        }
        let span = s.budget_span.unwrap_or(s.span);
        let d = out
            .report(span, format!("stack `{}` is estimated at ${total:.2}/month, over its budget of ${budget:.2}/month", s.name))
            .label(format!("${:.2}/month over", total - budget));
        let top: Vec<String> = report
            .resources
            .iter()
            .filter(|l| l.stack.as_deref() == Some(s.name.as_str()) && l.monthly > 0.0)
            .take(3)
            .map(|l| format!("`{}` ${:.2}", l.name, l.monthly))
            .collect();
        if !top.is_empty() {
            d.note(format!("largest items: {}", top.join(", ")));
        }
        d.help(format!("reduce the largest items (smaller classes, fewer replicas, no multi-AZ outside production), or raise the budget: `budget = {} USD/month`", (total / 50.0).ceil() * 50.0));
    }
}
