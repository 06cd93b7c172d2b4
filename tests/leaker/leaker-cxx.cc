// SPDX-License-Identifier: GPL-2.0-or-later
// leaker-cxx: the C++ test leaker, a subset of tests/leaker's line protocol
// (one reply line per command, flushed once the work is done):
//
//   new A COUNT    new B COUNT    report    quit
//
// A and B are polymorphic, so each object's first word is its class's
// vtable; "report" gives the counts as JSON.  Built with -g by the tests.
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace shape {

struct Shape {
	virtual ~Shape() = default;
	virtual double area() const = 0;
};

struct Circle : Shape {
	double r = 1;
	double area() const override { return 3.14159 * r * r; }
};

struct Square : Shape {
	double side = 2, pad[3] = {};
	double area() const override { return side * side; }
};

} // namespace shape

int main()
{
	// Kept to the end, so the objects stay reachable.
	static std::vector<shape::Shape *> objs;
	size_t na = 0, nb = 0;
	std::string line;

	std::cout << "ready " << getpid() << std::endl;
	while (std::getline(std::cin, line)) {
		std::istringstream in(line);
		std::string cmd, cls;
		size_t n = 0;

		in >> cmd;
		if (cmd == "quit") {
			std::cout << "ok bye" << std::endl;
			break;
		} else if (cmd == "report") {
			std::cout << "{\"pid\":" << getpid() << ",\"A\":" << na << ",\"B\":" << nb
				  << "}" << std::endl;
		} else if (cmd == "new" && (in >> cls >> n) && (cls == "A" || cls == "B")) {
			for (size_t i = 0; i < n; i++)
				objs.push_back(cls == "A" ? static_cast<shape::Shape *>(new shape::Circle)
							  : new shape::Square);
			(cls == "A" ? na : nb) += n;
			std::cout << "ok " << cls << "=" << n << std::endl;
		} else {
			std::cout << "error: unknown command \"" << line << "\"" << std::endl;
		}
	}
	for (auto *o : objs)
		delete o;
	return 0;
}
