// SPDX-License-Identifier: GPL-2.0
/* UDP tunnel sockets are set up and released by struct sock (was socket). */
#include <net/udp_tunnel.h>

void conftest_udp_tunnel(struct sock *sk);
void conftest_udp_tunnel(struct sock *sk)
{
	udp_tunnel_sock_release(sk);
}
