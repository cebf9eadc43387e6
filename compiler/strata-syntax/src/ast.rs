//! The Strata syntax tree. Every node carries the [`Span`] of the source it was parsed from.
//! The parser never fails: where the source is broken it records a diagnostic and produces an
//! `Error` node (or skips to the next item), so later stages always get a tree.

use strata_base::Span;

/// One parsed source file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
    /// Every comment in the file, in source order (for the formatter and doc lookup).
    pub comments: Vec<Comment>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    /// The full comment text including `//` or `/* */`.
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A dotted name: `aws.s3.Bucket`, `net.Site`, `Postgres`.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

impl Path {
    /// The dotted text, e.g. `aws.s3.Bucket`.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for (i, seg) in self.segments.iter().enumerate() {
            if i > 0 {
                s.push('.');
            }
            s.push_str(&seg.name);
        }
        s
    }
}

/// `///` doc comment lines directly above an item or field, joined with `\n`, markers removed.
pub type Doc = Option<String>;

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Import(Import),
    Param(Param),
    Let(Let),
    Type(TypeDecl),
    Schema(SchemaDecl),
    Stack(Stack),
    Resource(Resource),
    Module(ModuleDecl),
    ModuleInstance(ModuleInstance),
    Output(Output),
    Policy(Policy),
    /// Source the parser could not make sense of; a diagnostic was reported for it.
    Error(Span),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Import(x) => x.span,
            Item::Param(x) => x.span,
            Item::Let(x) => x.span,
            Item::Type(x) => x.span,
            Item::Schema(x) => x.span,
            Item::Stack(x) => x.span,
            Item::Resource(x) => x.span,
            Item::Module(x) => x.span,
            Item::ModuleInstance(x) => x.span,
            Item::Output(x) => x.span,
            Item::Policy(x) => x.span,
            Item::Error(s) => *s,
        }
    }
}

/// `import aws` · `import portable.{ObjectStore, Postgres}` · `import "./modules/web" as web`
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub kind: ImportKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ImportKind {
    /// A stdlib package; `names` is `Some` for the `pkg.{A, B}` form.
    Package {
        path: Path,
        names: Option<Vec<Ident>>,
    },
    /// A project file or directory, relative to the importing file, bound to `alias`.
    File {
        path: String,
        path_span: Span,
        alias: Ident,
    },
}

/// `param env: "dev" | "prod" = "dev"`
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub doc: Doc,
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub default: Option<Expr>,
    pub span: Span,
}

/// `let prod = env == "prod"` (optionally `let n: int = 3`)
#[derive(Clone, Debug, PartialEq)]
pub struct Let {
    pub doc: Doc,
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub value: Expr,
    pub span: Span,
}

/// `type Replicas = int(1..10)`
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDecl {
    pub doc: Doc,
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

/// A resource schema (used by the stdlib, allowed anywhere):
/// `schema aws.s3.Bucket { versioning: bool = false  out arn: string }`
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaDecl {
    pub doc: Doc,
    pub name: Path,
    /// `@key = value` attributes written before `schema`, e.g. `@provider = "aws"`.
    pub attrs: Vec<Field>,
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

/// A declared field of a record type or schema: `name?: Type = default`, or `out name: Type`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub doc: Doc,
    pub name: Ident,
    /// Written with `?`: may be omitted.
    pub optional: bool,
    /// Written with `out`: an attribute the resource exposes (read-only, referenceable).
    pub output: bool,
    pub ty: TypeExpr,
    pub default: Option<Expr>,
    pub span: Span,
}

/// `stack community { provider = aws { region = "us-east-1" }  budget = 600 USD/month }`
#[derive(Clone, Debug, PartialEq)]
pub struct Stack {
    pub doc: Doc,
    pub name: Ident,
    pub body: Vec<Field>,
    pub span: Span,
}

/// `resource db: Postgres { ... }`
/// or, one per element, `resource queues[q in ["a", "b"]]: Queue { name = q }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub doc: Doc,
    /// `existing resource x: T { ... }`: a resource that exists already and is only referred
    /// to (a Terraform data source; CloudFormation, Kubernetes and Deployment Manager by name).
    pub existing: Option<Span>,
    pub name: Ident,
    pub for_each: Option<ForEach>,
    pub ty: Path,
    pub body: Vec<Field>,
    pub span: Span,
}

/// `[x in expr]` after a resource or module-instance name.
#[derive(Clone, Debug, PartialEq)]
pub struct ForEach {
    pub var: Ident,
    pub iter: Expr,
    pub span: Span,
}

/// `module Site { param name: string  resource b: ObjectStore { ... }  output url = b.url }`
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleDecl {
    pub doc: Doc,
    pub name: Ident,
    pub items: Vec<Item>,
    pub span: Span,
}

/// `module blog: Site { name = "blog" }` (also with `[x in expr]` like resources)
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleInstance {
    pub doc: Doc,
    pub name: Ident,
    pub for_each: Option<ForEach>,
    pub module: Path,
    pub body: Vec<Field>,
    pub span: Span,
}

/// `output api_url = api.url` (optionally typed: `output n: int = 3`)
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    pub doc: Doc,
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub value: Expr,
    pub span: Span,
}

/// `policy "title" { severity = "error"  deny path(internet ~> Postgres) }`
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub doc: Doc,
    pub title: String,
    pub title_span: Span,
    /// Settings such as `severity = "warning"`, `message = "..."`, `code = "ACME001"`.
    pub settings: Vec<Field>,
    pub rules: Vec<PolicyRule>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PolicyRule {
    /// `deny path(FROM ~> TO)`: no path in the dependency graph from FROM to TO.
    DenyPath { from: Path, to: Path, span: Span },
    /// `deny x: T => cond`: every resource `x` of type `T` for which `cond` holds is a finding.
    Deny {
        binder: Ident,
        ty: Path,
        cond: Expr,
        span: Span,
    },
    /// `require x: T => cond`: every resource `x` of type `T` for which `cond` fails is a finding.
    Require {
        binder: Ident,
        ty: Path,
        cond: Expr,
        span: Span,
    },
}

/// `name = value` inside a block or record. `name` may be a quoted string in maps.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// `///` lines directly above the field (e.g. on a resource property).
    pub doc: Doc,
    pub name: Ident,
    /// The key was written as a string literal (`"Content-Type" = ...`).
    pub quoted: bool,
    pub value: Expr,
    pub span: Span,
}

// ---------------------------------------------------------------------------------------------
// Types

#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// `string`, `int`, `Size`, `aws.s3.Bucket`, with optional constraint arguments:
    /// `int(1..10)`, `string(pattern = "^[a-z]+$", max_len = 63)`, `Size(1 GiB..64 TiB)`.
    Named {
        path: Path,
        args: Vec<TypeArg>,
    },
    /// A generic: `list<string>`, `map<int>`, `ref<aws.kms.Key>`.
    Generic {
        path: Path,
        params: Vec<TypeExpr>,
    },
    /// A literal type: `"dev"`, `3`, `true`.
    Literal(Expr),
    /// `A | B | C`
    Union(Vec<TypeExpr>),
    /// `{ key: string, value?: string }`
    Record(Vec<FieldDecl>),
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeArg {
    /// `lo..hi`, either bound may be omitted (`1..`, `..10`).
    Range {
        lo: Option<Expr>,
        hi: Option<Expr>,
        span: Span,
    },
    /// `name = value`
    Named(Field),
}

// ---------------------------------------------------------------------------------------------
// Expressions

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string; a plain string is a single `Lit` part.
    Str(Vec<StrPart>),
    /// A number with a unit: `100 GiB`, `30d`, `4500 USD/month`, `250ms`.
    Quantity {
        value: f64,
        unit: String,
    },
    /// `10.0.0.0/16` or an IPv6 prefix written `cidr("::/0")`; the text as written.
    Cidr(String),
    /// A name: a let, param, resource, module instance, loop variable, or stdlib name.
    Name(Ident),
    List(Vec<Expr>),
    /// `{ a = 1, b = "x" }` — a record or map literal.
    Record(Vec<Field>),
    /// `aws { region = "us-east-1" }`, `https { domain = "x" }` — a record tagged with a type.
    TypedRecord {
        ty: Path,
        fields: Vec<Field>,
    },
    /// `base.name`
    Field {
        base: Box<Expr>,
        name: Ident,
    },
    /// `base[index]`
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    /// `len(xs)`, `join(", ", xs)`
    Call {
        callee: Ident,
        args: Vec<Expr>,
    },
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `cond ? a : b`
    Cond {
        cond: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    /// `[for x in xs: body if cond]`, also `[for i, x in xs: ...]` (index, value).
    ListComp {
        key: Option<Ident>,
        var: Ident,
        iter: Box<Expr>,
        body: Box<Expr>,
        cond: Option<Box<Expr>>,
    },
    /// `{for k, v in m: key => value if cond}` (with one variable it iterates a list).
    MapComp {
        key: Option<Ident>,
        var: Ident,
        iter: Box<Expr>,
        out_key: Box<Expr>,
        out_value: Box<Expr>,
        cond: Option<Box<Expr>>,
    },
    /// `(expr)` — kept so the formatter can preserve explicit grouping.
    Paren(Box<Expr>),
    /// Unparseable input; a diagnostic was reported.
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    Lit(String),
    /// `${expr}`
    Interp(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    /// `~/`: division of two ints, rounded toward zero.
    IntDiv,
    Rem,
}

impl BinaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "||",
            BinaryOp::And => "&&",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::IntDiv => "~/",
            BinaryOp::Rem => "%",
        }
    }
}
