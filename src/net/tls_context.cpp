#include "net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <stdexcept>
#include <string_view>

namespace parley::net {
namespace {

// Mozilla's "intermediate" configuration (v5.7) for TLS 1.2; TLS 1.3 keeps OpenSSL's suites,
// which are the same three AEADs. Forward secrecy and AEAD only: no RSA key exchange, no CBC.
constexpr const char* k_tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

// OpenSSL's error queue as one line (and emptied): the reason a file was refused.
std::string openssl_errors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char line[256];
    ERR_error_string_n(code, line, sizeof line);
    if (!text.empty()) text += "; ";
    text += line;
  }
  return text.empty() ? "unknown error" : text;
}

[[noreturn]] void fail(SSL_CTX* context, const std::string& what) {
  const std::string reason = openssl_errors();
  SSL_CTX_free(context);
  throw std::runtime_error(what + ": " + reason);
}

// ALPN: we speak HTTP/1.1 only (WebSocket upgrades included); a client offering only h2 gets
// no ALPN answer and may still go on with HTTP/1.1 or give up.
int select_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                unsigned int in_length, void*) {
  static constexpr unsigned char k_ours[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, out_length, k_ours, sizeof k_ours, in, in_length) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

tls_context::tls_context(const std::string& cert_file, const std::string& key_file)
    : context_(SSL_CTX_new(TLS_server_method())) {
  if (context_ == nullptr) fail(nullptr, "cannot make a TLS context");
  SSL_CTX_set_min_proto_version(context_, TLS1_2_VERSION);
  // No renegotiation at all (TLS 1.2; 1.3 has none): a client cannot make us redo handshakes.
  SSL_CTX_set_options(context_, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // Idle connections give their record buffers back (DESIGN §3.7: idle is nearly free).
  SSL_CTX_set_mode(context_, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_cipher_list(context_, k_tls12_ciphers) != 1)
    fail(context_, "cannot set the TLS cipher list");
  SSL_CTX_set_dh_auto(context_, 1);  // the DHE suites, for old clients without ECDHE
  SSL_CTX_set_alpn_select_cb(context_, select_alpn, nullptr);
  if (SSL_CTX_use_certificate_chain_file(context_, cert_file.c_str()) != 1)
    fail(context_, "tls.cert_file '" + cert_file + "'");
  if (SSL_CTX_use_PrivateKey_file(context_, key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    fail(context_, "tls.key_file '" + key_file + "'");
  if (SSL_CTX_check_private_key(context_) != 1)
    fail(context_,
         "tls.key_file '" + key_file + "' does not match tls.cert_file '" + cert_file + "'");
}

tls_context::~tls_context() {
  SSL_CTX_free(context_);
}

}  // namespace parley::net
