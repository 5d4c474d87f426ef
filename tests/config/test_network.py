"""The LAN address from a fake interface table and routing table, as the kernel would give."""

from __future__ import annotations

from config import network
from config.network import LocalNetwork

HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"


def routes(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


# Wi-Fi with the default route; Docker's bridge and a VPN-less laptop's loopback beside it.
LAPTOP = {
    "lo": ["127.0.0.1", "::1"],
    "docker0": ["172.17.0.1"],
    "wlp2s0": ["fe80::1c2b:3dff:fe4e:5f60", "192.168.1.20"],
}
WIFI_DEFAULT = "wlp2s0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0"
WIFI_SUBNET = "wlp2s0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0"
DOCKER_SUBNET = "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0"


def test_default_route_interface_is_the_one_with_destination_and_mask_zero():
    table = routes(DOCKER_SUBNET, WIFI_SUBNET, WIFI_DEFAULT)

    assert network.default_route_interface(table) == "wlp2s0"


def test_default_route_interface_takes_the_lowest_metric_of_several():
    wired = "enp0s31f6\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0"

    assert network.default_route_interface(routes(WIFI_DEFAULT, wired)) == "enp0s31f6"


def test_default_route_interface_skips_routes_that_are_down_and_unreadable_lines():
    down = "enp0s31f6\t00000000\t0101A8C0\t0002\t0\t0\t100\t00000000\t0\t0\t0"
    garbage = "tun0\tzzzz\t0\t0003\t0\t0\t1\t00000000"

    assert network.default_route_interface(routes(down, garbage, "short line")) is None
    assert network.default_route_interface(routes(down, WIFI_DEFAULT)) == "wlp2s0"


def test_default_route_interface_none_without_a_default_route():
    assert network.default_route_interface(routes(WIFI_SUBNET, DOCKER_SUBNET)) is None
    assert network.default_route_interface("") is None


def test_local_network_is_the_default_route_interfaces_address_not_the_bridge():
    result = network.local_network(
        routes=routes(DOCKER_SUBNET, WIFI_SUBNET, WIFI_DEFAULT), interfaces=LAPTOP, probe=None
    )

    assert result == LocalNetwork(
        lan_address="192.168.1.20", addresses=("172.17.0.1", "192.168.1.20")
    )


def test_local_network_probe_picks_between_two_addresses_of_the_interface():
    interfaces = {**LAPTOP, "wlp2s0": ["192.168.1.20", "192.168.1.77"]}

    result = network.local_network(
        routes=routes(WIFI_DEFAULT), interfaces=interfaces, probe="192.168.1.77"
    )

    assert result.lan_address == "192.168.1.77"


def test_local_network_ignores_a_probe_from_another_interface_than_the_default_route():
    result = network.local_network(
        routes=routes(WIFI_DEFAULT), interfaces=LAPTOP, probe="172.17.0.1"
    )

    assert result.lan_address == "192.168.1.20"


def test_local_network_without_a_default_route_has_no_lan_address():
    result = network.local_network(
        routes=routes(WIFI_SUBNET, DOCKER_SUBNET), interfaces=LAPTOP, probe=None
    )

    assert result == LocalNetwork(lan_address=None, addresses=("172.17.0.1", "192.168.1.20"))


def test_local_network_default_route_interface_with_only_link_local_is_no_lan_address():
    interfaces = {"lo": ["127.0.0.1"], "wlp2s0": ["169.254.10.20", "fe80::1"]}

    result = network.local_network(routes=routes(WIFI_DEFAULT), interfaces=interfaces, probe=None)

    assert result == LocalNetwork(lan_address=None, addresses=())


def test_local_network_without_a_routing_table_takes_the_probe():
    mac = {"lo0": ["127.0.0.1"], "en0": ["10.0.0.14"], "bridge100": ["192.168.2.1"]}

    result = network.local_network(routes=None, interfaces=mac, probe="10.0.0.14")

    assert result == LocalNetwork(lan_address="10.0.0.14", addresses=("10.0.0.14", "192.168.2.1"))


def test_local_network_without_a_routing_table_refuses_a_loopback_probe():
    result = network.local_network(routes=None, interfaces={}, probe="127.0.0.1")

    assert result == LocalNetwork(lan_address=None, addresses=())


def test_detect_reads_the_given_routing_table_and_never_raises(tmp_path):
    missing = network.detect(route_table=tmp_path / "absent")
    table = tmp_path / "route"
    table.write_text(routes(WIFI_SUBNET))

    assert network.detect(route_table=table).lan_address is None
    assert isinstance(missing, LocalNetwork)
