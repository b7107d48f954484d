//! The open/accepted connection counts of the handle (NET-07's observable).

use std::time::Duration;

use crate::server::tests::connect;
use crate::{Emulator, EmulatorOptions};

const GUARD: Duration = Duration::from_secs(30);

#[test]
fn net_07_a_connection_counts_as_open_from_accept_until_it_is_closed() {
    let emu = Emulator::start(EmulatorOptions::default()).expect("emulator starts");
    assert_eq!((emu.open_connections(), emu.accepted_connections()), (0, 0));
    let first = connect(&emu);
    assert_eq!(emu.wait_for_accepted_connections_at_least(1, GUARD), 1);
    let second = connect(&emu);
    assert_eq!(emu.wait_for_accepted_connections_at_least(2, GUARD), 2);
    assert_eq!(emu.open_connections(), 2);
    drop(first);
    assert_eq!(emu.wait_for_open_connections_at_most(1, GUARD), 1);
    drop(second);
    assert_eq!(emu.wait_for_open_connections_at_most(0, GUARD), 0);
    assert_eq!(
        emu.accepted_connections(),
        2,
        "closing does not change the total"
    );
}
