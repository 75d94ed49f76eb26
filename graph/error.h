// The one error type of the project. Libraries throw it for failures that end an operation;
// boundaries (main, the Thrift handler) translate it exactly once. Expected outcomes (an empty
// result, an import report with rejected rows) are values, not errors.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "graph/messages.h"

namespace chainatlas {

enum class ErrorCode {
  kInvalidArgument,  // the caller asked for something malformed (bad option, bad id syntax)
  kNotFound,         // an id, name or region that does not exist
  kInvalidData,      // input data that breaks the rules (an import bundle, a damaged database)
  kIo,               // a file or database could not be read or written
  kInternal,         // a bug: an invariant did not hold
};

const char* ErrorCodeName(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string message, std::vector<std::string> suggestions = {})
      : std::runtime_error(message), code_(code), suggestions_(std::move(suggestions)) {
    message_.text = std::move(message);
  }
  // A message of the table (graph/messages.h): what() is its English, Message(lang) either.
  Error(ErrorCode code, chainatlas::Message message, std::vector<std::string> suggestions = {})
      : std::runtime_error(message.Render(Lang::kEn)),
        code_(code),
        message_(std::move(message)),
        suggestions_(std::move(suggestions)) {}

  ErrorCode code() const { return code_; }
  // For kNotFound: the closest existing matches, best first, for the user to pick from.
  const std::vector<std::string>& suggestions() const { return suggestions_; }
  // The message's code and parameters (code empty: a text without a template, English only).
  const chainatlas::Message& message() const { return message_; }
  // The message in the language (a text without a template as it is).
  std::string Text(Lang lang) const {
    return message_.code.empty() ? what() : message_.Render(lang);
  }

 private:
  ErrorCode code_;
  chainatlas::Message message_;
  std::vector<std::string> suggestions_;
};

}  // namespace chainatlas
