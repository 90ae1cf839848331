//! `tenant`, `user` and `client` commands. Each becomes an operator
//! request, answered by the running server over its operator socket, or
//! run on the database file when no server holds it.

use crate::domain::identity_provider::ProviderSecret;
use crate::operator::Request;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum TenantCommand {
    /// Create a tenant with one Tenant Administrator user.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        admin_email: String,
        /// Generated and printed once when left out.
        #[arg(long)]
        admin_password: Option<String>,
    },
    /// List every tenant.
    List,
    /// Change a tenant's provisioning state (e.g. Deactivated, Active).
    SetState {
        /// Tenant id or name.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        state: String,
    },
    /// Change how a tenant's people sign in; what is left out stays. Never
    /// refused: this is the way back in for a tenant locked out.
    SignIn {
        /// Tenant id or name.
        #[arg(long)]
        tenant: String,
        /// Password sign-in allowed: on or off.
        #[arg(long, value_parser = on_off)]
        passwords: Option<bool>,
        /// A one-time code (TOTP) required with passwords: on or off.
        #[arg(long, value_parser = on_off)]
        totp: Option<bool>,
    },
}

fn on_off(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("'{text}' is neither on nor off")),
    }
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user in a tenant.
    Create {
        /// Tenant id or name.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        /// Generated and printed once when left out.
        #[arg(long)]
        password: Option<String>,
        /// "Tenant Administrator" or "Tenant Member"; repeatable.
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    /// Set a user's password (generated and printed once when left out).
    ResetPassword {
        /// Tenant id or name.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ClientCommand {
    /// Create a client; its secret is printed once.
    Create {
        /// Tenant id or name.
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        name: String,
        /// "Tenant Administrator" or "Tenant Member"; repeatable.
        #[arg(long = "role")]
        roles: Vec<String>,
    },
    /// Give a client a new secret (printed once); the old one stops working.
    RotateSecret {
        /// The client id.
        #[arg(long)]
        client: String,
    },
    /// Delete a client and its community roles; its tokens stop working.
    Delete {
        /// The client id.
        #[arg(long)]
        client: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum IdpCommand {
    /// Add an OpenID Connect provider the tenant's people sign in with;
    /// its discovery document must answer.
    Add {
        /// Tenant id or name.
        #[arg(long)]
        tenant: String,
        /// What the login page's button says: "Sign in with NAME".
        #[arg(long)]
        name: String,
        /// The issuer URL, exactly as the provider's discovery document says it.
        #[arg(long)]
        issuer: String,
        #[arg(long)]
        client_id: String,
        #[arg(long, env = "COMMUNITYD_IDP_CLIENT_SECRET", hide_env_values = true)]
        client_secret: String,
        /// An email domain the provider may vouch for; repeatable.
        #[arg(long = "domain", required = true)]
        domains: Vec<String>,
        /// Create an unknown but verified person as a Tenant Member.
        #[arg(long)]
        create_users: bool,
        /// The ID token claim listing the person's groups.
        #[arg(long)]
        groups_claim: Option<String>,
        /// GROUP=ROLE: members of GROUP hold the tenant role ROLE (a name
        /// or id); repeatable.
        #[arg(long = "group-role")]
        group_roles: Vec<String>,
    },
    /// List a tenant's identity providers.
    List {
        /// Tenant id or name.
        #[arg(long)]
        tenant: String,
    },
    /// Remove an identity provider; its people keep their users.
    Remove {
        /// Tenant id or name.
        #[arg(long)]
        tenant: String,
        /// The provider's id or name.
        #[arg(long)]
        provider: String,
    },
}

impl IdpCommand {
    /// The issuer whose discovery must answer before the command runs.
    pub fn issuer(&self) -> Option<&str> {
        match self {
            IdpCommand::Add { issuer, .. } => Some(issuer),
            _ => None,
        }
    }
}

impl From<IdpCommand> for Request {
    fn from(cmd: IdpCommand) -> Self {
        match cmd {
            IdpCommand::Add {
                tenant,
                name,
                issuer,
                client_id,
                client_secret,
                domains,
                create_users,
                groups_claim,
                group_roles,
            } => Request::IdpAdd {
                tenant,
                name,
                issuer,
                client_id,
                client_secret: ProviderSecret::new(client_secret),
                domains,
                create_users,
                groups_claim,
                group_roles,
            },
            IdpCommand::List { tenant } => Request::IdpList { tenant },
            IdpCommand::Remove { tenant, provider } => Request::IdpRemove { tenant, provider },
        }
    }
}

impl From<TenantCommand> for Request {
    fn from(cmd: TenantCommand) -> Self {
        match cmd {
            TenantCommand::Create {
                name,
                admin_email,
                admin_password,
            } => Request::TenantCreate {
                name,
                admin_email,
                admin_password,
            },
            TenantCommand::List => Request::TenantList,
            TenantCommand::SetState { tenant, state } => Request::TenantSetState { tenant, state },
            TenantCommand::SignIn {
                tenant,
                passwords,
                totp,
            } => Request::TenantSignIn {
                tenant,
                passwords,
                totp_required: totp,
            },
        }
    }
}

impl From<UserCommand> for Request {
    fn from(cmd: UserCommand) -> Self {
        match cmd {
            UserCommand::Create {
                tenant,
                email,
                password,
                roles,
            } => Request::UserCreate {
                tenant,
                email,
                password,
                roles,
            },
            UserCommand::ResetPassword {
                tenant,
                email,
                password,
            } => Request::UserResetPassword {
                tenant,
                email,
                password,
            },
        }
    }
}

impl From<ClientCommand> for Request {
    fn from(cmd: ClientCommand) -> Self {
        match cmd {
            ClientCommand::Create {
                tenant,
                name,
                roles,
            } => Request::ClientCreate {
                tenant,
                name,
                roles,
            },
            ClientCommand::RotateSecret { client } => Request::ClientRotateSecret { client },
            ClientCommand::Delete { client } => Request::ClientDelete { client },
        }
    }
}
