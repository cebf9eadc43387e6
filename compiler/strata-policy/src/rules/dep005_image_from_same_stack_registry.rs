use super::prelude::*;

rule! {
    /// ## What it checks
    /// A service or function whose container image refers to a registry declared in the same
    /// stack: the `image` of a portable `Service`, `aws.lambda.Function`, `gcp.run.Service` or
    /// of a container of an `aws.ecs.TaskDefinition`, `tf.google_cloud_run_v2_service`'s
    /// `template.containers[].image` or `tf.aws_lambda_function`'s `image_uri`, referring to a
    /// portable `Registry`, an `aws.ecr.Repository`, a `gcp.artifactregistry.Repository`, a
    /// `tf.aws_ecr_repository` or a `tf.google_artifact_registry_repository` of the service's
    /// own stack.
    ///
    /// Only references are followed: an image written as a literal URL is not matched
    /// against the registries of the program.
    ///
    /// ## Why it matters
    /// One deploy creates the registry and the service together, and the service (an ECS
    /// service, a Lambda function, a Cloud Run revision) pulls its image at once: the registry
    /// is empty, nothing could have pushed the image yet, and the first deploy fails (and a
    /// CloudFormation stack rolls back).
    ///
    /// ## Example
    /// ```strata
    /// stack app { provider = gcp { project = "acme-prod", region = "europe-west1" } }
    /// resource images: gcp.artifactregistry.Repository { repository_name = "apps" }
    /// resource api: gcp.run.Service { image = "${images.url}/api:1.4.2" }
    /// ```
    ///
    /// ## Fix
    /// Put the registry in a stack of its own, deploy that stack first, push the image, then
    /// deploy the service's stack; a reference cannot cross stacks (`L0003`), so the service
    /// names the image by its URL (the bootstrap stack's output):
    /// ```strata
    /// stack registry { provider = gcp { project = "acme-prod", region = "europe-west1" } }
    /// stack app { provider = gcp { project = "acme-prod", region = "europe-west1" } }
    /// resource images: gcp.artifactregistry.Repository { stack = registry, repository_name = "apps" }
    /// resource api: gcp.run.Service { stack = app, image = "europe-west1-docker.pkg.dev/acme-prod/apps/api:1.4.2" }
    /// ```
    pub static RULE = {
        code: "DEP005",
        name: "image-from-same-stack-registry",
        category: Deploy,
        severity: Error,
        applies: Applies::Reads,
        reads: || READS,
        check: Check::Resource(check),
    }
}

const IMAGE: &str = "image";

#[rustfmt::skip]
static READS: &[Read] = &[
    part("portable.Service", "image", IMAGE),
    part("aws.lambda.Function", "image", IMAGE),
    part("aws.ecs.TaskDefinition", "containers[].image", IMAGE),
    part("gcp.run.Service", "image", IMAGE),
    part("tf.google_cloud_run_v2_service", "template.containers[].image", IMAGE),
    part("tf.aws_lambda_function", "image_uri", IMAGE),
];

/// The registry types: images are pushed to them after they exist.
const REGISTRIES: &[&str] = &[
    "portable.Registry",
    "aws.ecr.Repository",
    "gcp.artifactregistry.Repository",
    "tf.aws_ecr_repository",
    "tf.google_artifact_registry_repository",
];

/// The stack a resource is deployed with (the only one when it names none).
fn stack_of(cx: &Cx<'_>, r: &Resource) -> Option<usize> {
    r.stack.or((cx.model.stacks.len() <= 1).then_some(0))
}

fn check(cx: &Cx<'_>, r: &Resource, out: &mut Sink<'_>) {
    let Some(row) = READS.iter().find(|row| row.ty == r.ty) else {
        return;
    };
    let mut registries: Vec<&Resource> = Vec::new();
    for v in crate::reads::values(r, row.path) {
        v.visit_refs(&mut |x| {
            if let Some(t) = cx.resource(x.resource) {
                if REGISTRIES.contains(&t.ty.as_str())
                    && stack_of(cx, t) == stack_of(cx, r)
                    && !registries.iter().any(|o| o.id == t.id)
                {
                    registries.push(t);
                }
            }
        });
    }
    // A resource lowered from a portable one is named as declared.
    let named = |x: &'_ Resource| {
        x.lowered_from
            .and_then(|o| cx.resource(o))
            .map_or(x.name.clone(), |o| o.name.clone())
    };
    let mut seen: Vec<String> = Vec::new();
    for reg in registries {
        let reg_name = named(reg);
        if seen.contains(&reg_name) {
            continue;
        }
        seen.push(reg_name.clone());
        let stack = stack_of(cx, r)
            .and_then(|s| cx.model.stacks.get(s))
            .map_or("main", |s| s.name.as_str());
        out.report(
            cx.span_of(r, row.top(), &["image"]),
            format!(
                "`{}` runs an image from `{reg_name}`, which the same stack `{stack}` creates: the first deploy fails, as nothing can push the image before the registry exists",
                named(r)
            ),
        )
        .label("image from a registry of the same stack")
        .help(format!(
            "put `{reg_name}` in a stack of its own (`stack = NAME` on it), deploy that stack first, push the image, then deploy `{stack}` with the image's URL (a reference cannot cross stacks)"
        ));
    }
}
