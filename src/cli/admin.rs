//! `tenant`, `user` and `client` commands. Each becomes an operator
//! request, answered by the running server over its operator socket, or
//! run on the database file when no server holds it.

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
