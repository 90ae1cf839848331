//! Which instance this process is, among several serving one PostgreSQL
//! database: an id kept in its data dir, so a restart on the same data dir
//! is the same instance. Leases name it (see `outbox::Lease`): an instance
//! that starts again knows the claims its previous life held were cut off
//! (nothing of it is sending any more) and frees them at once, instead of
//! letting them wait out their lease as another instance's must.

use super::error::StoreError;
use super::private_files;
use std::path::Path;
use uuid::Uuid;

const FILE: &str = "instance-id";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instance(pub Uuid);

impl Instance {
    /// The id kept in `data_dir`, made the first time.
    pub fn of_data_dir(data_dir: &Path) -> Result<Self, StoreError> {
        let path = data_dir.join(FILE);
        if let Ok(text) = std::fs::read_to_string(&path) {
            if let Ok(id) = Uuid::parse_str(text.trim()) {
                return Ok(Self(id));
            }
        }
        let id = Uuid::new_v4();
        let _ = std::fs::remove_file(&path);
        let mut file = private_files::create_new(&path)?;
        std::io::Write::write_all(&mut file, id.to_string().as_bytes())
            .map_err(|e| StoreError::file(&path, e))?;
        Ok(Self(id))
    }
}
