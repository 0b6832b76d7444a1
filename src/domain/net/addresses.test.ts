import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyHost, isPrivateAddress, outboundUrl, parseIpv4, parseIpv6 } from './addresses.ts';

describe('SPEC 8a address classification', () => {
  test('every refused IPv4 range, at both ends', () => {
    const refused = [
      '0.0.0.0',
      '0.255.255.255',
      '10.0.0.0',
      '10.255.255.255',
      '100.64.0.0',
      '100.127.255.255',
      '127.0.0.1',
      '127.255.255.254',
      '169.254.169.254',
      '172.16.0.1',
      '172.31.255.255',
      '192.0.0.0',
      '192.0.0.255',
      '192.0.2.1',
      '192.88.99.1',
      '192.168.0.1',
      '198.18.0.0',
      '198.19.255.255',
      '198.51.100.7',
      '203.0.113.9',
      '224.0.0.1',
      '239.255.255.255',
      '240.0.0.0',
      '255.255.255.255',
    ];
    for (const address of refused) assert.equal(isPrivateAddress(address), true, address);
    const allowed = [
      '1.1.1.1',
      '8.8.8.8',
      '9.255.255.255',
      '11.0.0.0',
      '100.63.255.255',
      '100.128.0.0',
      '126.255.255.255',
      '128.0.0.0',
      '169.253.255.255',
      '172.15.255.255',
      '172.32.0.0',
      '192.0.1.0',
      '192.0.3.0',
      '192.167.255.255',
      '198.17.255.255',
      '198.20.0.0',
      '203.0.114.0',
      '223.255.255.255',
    ];
    for (const address of allowed) assert.equal(isPrivateAddress(address), false, address);
  });

  test('every refused IPv6 range', () => {
    const refused = [
      '::',
      '::1',
      'fc00::1',
      'fdff:ffff::1',
      'fe80::1',
      'fe80::1%eth0',
      'febf::1',
      'fec0::1',
      'feff::1',
      'ff00::',
      'ff02::1',
      '2001:db8::1',
      '2001:db8:ffff::1',
      '2001::1', // Teredo
      '100::1', // discard-only
      '64:ff9b:1::1', // local-use NAT64
      '3fff::1', // documentation (RFC 9637)
      '[::1]',
    ];
    for (const address of refused) assert.equal(isPrivateAddress(address), true, address);
    for (const address of ['2606:4700:4700::1111', '2a00:1450:4001::200e', '2001:4860:4860::8888'])
      assert.equal(isPrivateAddress(address), false, address);
  });

  test('IPv6 forms that embed IPv4 are judged by the embedded address', () => {
    const refused = [
      '::ffff:127.0.0.1', // mapped, dotted
      '::ffff:7f00:1', // mapped, as the URL parser writes it
      '::ffff:0:0', // mapped 0.0.0.0
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
      '0:0:0:0:0:ffff:7f00:0001',
      '::127.0.0.1', // compatible
      '::a00:1', // compatible 10.0.0.1
      '::ffff:0:7f00:1', // translated
      '64:ff9b::127.0.0.1', // NAT64
      '64:ff9b::a9fe:a9fe',
      '2002:7f00:1::', // 6to4 of 127.0.0.1
      '2002:c0a8:101::1', // 6to4 of 192.168.1.1
      '[::ffff:127.0.0.1]',
    ];
    for (const address of refused) assert.equal(isPrivateAddress(address), true, address);
    const allowed = ['::ffff:8.8.8.8', '::ffff:808:808', '64:ff9b::808:808', '2002:808:808::1'];
    for (const address of allowed) assert.equal(isPrivateAddress(address), false, address);
  });

  test('numeric IPv4 forms are normalised: decimal, hex, octal, short', () => {
    const loopback = 0x7f000001;
    for (const form of [
      '127.0.0.1',
      '2130706433',
      '0x7f000001',
      '0X7F.0.0.1',
      '0177.0.0.1',
      '017700000001',
      '127.1',
      '127.0.1',
      '0x7f.1',
      '127.0.0.1.',
    ]) {
      assert.equal(parseIpv4(form), loopback, form);
      assert.equal(isPrivateAddress(form), true, form);
      assert.equal(classifyHost(form), 'refused', form);
    }
    for (const notAnAddress of [
      '1.2.3.4.5',
      '256.0.0.1',
      '1.2.3.256',
      '08.1.1.1',
      '4294967296',
      'a.b.c.d',
      '',
    ])
      assert.equal(parseIpv4(notAnAddress), undefined, notAnAddress);
  });

  test('IPv6 parsing: compression, dotted tails, and malformed text', () => {
    assert.deepEqual(parseIpv6('::'), [0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(parseIpv6('1::8'), [1, 0, 0, 0, 0, 0, 0, 8]);
    assert.deepEqual(parseIpv6('::ffff:1.2.3.4'), [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    for (const bad of [
      '1:2:3:4:5:6:7',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '::g',
      '::1.2.3',
      '12345::',
      '1.2.3.4',
    ])
      assert.equal(parseIpv6(bad), undefined, bad);
    assert.equal(isPrivateAddress('not an address'), true, 'unparseable counts as refused');
  });

  test('hosts: local names refused, names left for DNS, literals judged', () => {
    assert.equal(classifyHost('localhost'), 'refused');
    assert.equal(classifyHost('LOCALHOST.'), 'refused');
    assert.equal(classifyHost('api.localhost'), 'refused');
    assert.equal(classifyHost('[::ffff:7f00:1]'), 'refused');
    assert.equal(classifyHost('calendar.example.com'), 'name');
    assert.equal(classifyHost('8.8.8.8'), 'public_address');
    assert.equal(classifyHost('[2606:4700::1111]'), 'public_address');
  });

  test('webcal: is read as https: before the host is judged; other schemes are not outbound URLs', () => {
    const webcal = outboundUrl('webcal://2130706433:8080/feed.ics');
    assert.equal(webcal?.href, 'https://127.0.0.1:8080/feed.ics');
    assert.equal(classifyHost(webcal!.hostname), 'refused');
    assert.equal(outboundUrl(' webcals://0x7f.1/a?b ')?.href, 'https://127.0.0.1/a?b');
    assert.equal(outboundUrl('http://[::ffff:127.0.0.1]:9/c')?.hostname, '[::ffff:7f00:1]');
    for (const text of ['ftp://example.com/', 'file:///etc/passwd', 'gopher://127.0.0.1/', 'nonsense'])
      assert.equal(outboundUrl(text), undefined, text);
  });
});
