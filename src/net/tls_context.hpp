#pragma once

#include <memory>
#include <string>

using SSL_CTX = struct ssl_ctx_st;

namespace parley::net {

// A server's TLS settings with one certificate chain and key: TLS 1.2 and 1.3 only, Mozilla's
// "intermediate" ciphers, no renegotiation, no compression, ALPN http/1.1. Immutable once made;
// a reload makes a new one, and each connection keeps the one it started with (its SSL object
// holds a reference), so a reload never disturbs a connection.
class tls_context {
 public:
  // Reads the PEM certificate chain and private key; throws std::runtime_error naming the file
  // and OpenSSL's reason when either cannot be read or they do not match.
  tls_context(const std::string& cert_file, const std::string& key_file);
  ~tls_context();
  tls_context(const tls_context&) = delete;
  tls_context& operator=(const tls_context&) = delete;

  [[nodiscard]] SSL_CTX* native() const { return context_; }

 private:
  SSL_CTX* context_;
};

using shared_tls_context = std::shared_ptr<const tls_context>;

}  // namespace parley::net
